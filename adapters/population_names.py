"""The draws behind the synthetic population: Moroccan names, CINs and identifier serials.

`Factory` holds the one seeded `random.Random` every draw comes from, so the order in which
callers draw is what keeps a population byte for byte the same for a seed.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TypeVar

T = TypeVar("T")


def _names(text: str) -> tuple[str, ...]:
    """A name list written as comma-separated text (a name may hold a space)."""
    return tuple(name.strip() for name in text.split(","))


FAMILY_NAMES = _names(
    "Alaoui, Bennani, El Amrani, Tazi, Berrada, Idrissi, El Idrissi, Chraibi, Fassi Fihri, "
    "Benjelloun, Lahlou, Sqalli, Kettani, Bensouda, Guessous, Filali, Ouazzani, Cherkaoui, "
    "El Fassi, Benali, Amrani, Zniber, Sefrioui, Naciri, Hajji, Bouzidi, Benmoussa, "
    "El Khattabi, Ait Ouali, Ait Taleb, Benchekroun, Bouazza, Bakkali, Belhaj, Chakir, "
    "El Mansouri, Essaidi, Fikri, Ghazi, Haddad, Hamdaoui, Jabri, Kabbaj, Lamrani, Mansouri, "
    "Mouline, Nejjar, Rami, Rahmouni, Saadi, Slaoui, Tahiri, Touimi, Yacoubi, Zerouali, Ziani, "
    "El Ouafi, Boukhari, Belkadi, Benhima, Chafik, Darif, El Hachimi, Ennaciri, Gharbi, Harrak, "
    "Jamai, Kadiri, Lazrak, Marzouki, Mekouar, Nouri, Oukacha, Raji, Sabri, Skalli, Souiri, "
    "Tounsi, Zahraoui, Ait Lahcen, Ouchen, Amzil, Oubella, Bouchta, El Yazidi, Rifi, Soussi"
)
MALE_NAMES = _names(
    "Mohamed, Mohammed, Ahmed, Youssef, Hamza, Omar, Ali, Hassan, Abdelaziz, Abdellah, "
    "Rachid, Karim, Said, Mustapha, Brahim, Khalid, Driss, Amine, Mehdi, Adam, Ayoub, Ilyas, "
    "Anas, Othmane, Soufiane, Zakaria, Reda, Yassine, Hicham, Nabil, Tarik, Aziz, Jamal, "
    "Larbi, Abderrahim, Abdelkader, Mourad, Noureddine, Badr, Ismail, Bilal, Walid, Salah, "
    "Hamid, Lahcen, Abdelhak, Taha, Imad, Marouane, Saad, Houssine, Jaouad, Adil, Fouad"
)
FEMALE_NAMES = _names(
    "Fatima, Khadija, Aicha, Meryem, Salma, Imane, Nadia, Latifa, Amina, Zineb, Hanane, "
    "Sanaa, Houda, Malika, Rachida, Naima, Saida, Hafsa, Asmae, Sara, Yasmine, Ghita, Kawtar, "
    "Loubna, Siham, Btissam, Hind, Ikram, Nawal, Oumaima, Chaimae, Hajar, Wiam, Rim, "
    "Soukaina, Fatima Zahra, Zahra, Najat, Mina, Fadoua, Laila, Samira, Karima, Widad, "
    "Jamila, Souad, Touria, Habiba, Nezha, Rkia, Hasna, Mouna"
)

# CIN letters name the issuing region: a sample of those seen on cards.
CIN_PREFIXES = _names(
    "A, B, BB, BE, BH, BJ, BK, BL, BW, C, CB, CD, D, DA, DJ, E, EE, F, FA, G, GA, GM, H, HA, "
    "I, IA, J, JA, JB, JC, JE, JH, JK, K, KB, L, LA, M, MA, N, P, PA, Q, R, S, SH, T, TA, U, "
    "UA, V, W, WA, X, Y, Z, ZG"
)
_CIN_NUMBERS = 900_000  # six digits, 100000..999999
_ALD_CODES = tuple(f"ALD{n:02d}" for n in range(1, 42))  # arrêté 2518-05 lists 41


def _serial(rng: random.Random, span: int, low: int) -> Iterator[int]:
    """Unique values in a scrambled order: n -> low + (a*n + b) mod span is one-to-one."""
    a = rng.randrange(span // 3, span)
    while math.gcd(a, span) != 1:
        a += 1
    b = rng.randrange(span)
    return (low + (a * n + b) % span for n in itertools.count(1))


def iso(day: date | None) -> str | None:
    """The ISO form of a day, or None."""
    return None if day is None else day.isoformat()


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def months_before(day: date, count: int) -> list[date]:
    """The first days of the `count` months before the month of `day`, oldest first."""
    index = day.year * 12 + day.month - 1
    return [date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(count, 0, -1)]


class Factory:
    """The random draws, all from one seeded generator, and the identifier serials."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.idcs = _serial(self.rng, 9 * 10**9, 10**9)
        self.cnss = _serial(self.rng, 9 * 10**8, 10**8)
        self.cnops = _serial(self.rng, 9 * 10**7, 10**7)
        self.cin = _serial(self.rng, len(CIN_PREFIXES) * _CIN_NUMBERS, 0)

    def ago(self, low: int, high: int) -> date:
        """A day between `high` and `low` days before today."""
        return self.today - timedelta(days=self.rng.randint(low, high))

    def born(self, age: int) -> date:
        """A birth date giving exactly that age today."""
        return years_before(self.today, age) - timedelta(days=self.rng.randint(1, 364))

    def pick(self, weights: dict[T, int]) -> T:
        """One key, drawn with the given weights."""
        return self.rng.choices(tuple(weights), weights=tuple(weights.values()))[0]

    def cin_number(self) -> str:
        """A new CIN: region letters and six digits."""
        n = next(self.cin)
        return f"{CIN_PREFIXES[n // _CIN_NUMBERS]}{n % _CIN_NUMBERS + 100_000}"

    def contributions(self, before: date) -> list[dict[str, object]]:
        """A full year of declared working days, up to the month before `before`."""
        months = months_before(before, 12)
        return [{"month": m.strftime("%Y-%m"), "days": self.rng.randint(20, 26)} for m in months]

    def ald(self, born: date, count: int) -> list[dict[str, object]]:
        """`count` long-term conditions, most without an end."""
        grants: list[dict[str, object]] = []
        for code in self.rng.sample(_ALD_CODES, count):
            start, ends = max(born, self.ago(30, 4000)), self.rng.random() < 0.2  # most run on
            end = self.today + timedelta(days=self.rng.randint(60, 900)) if ends else None
            grants.append({"condition": code, "start": iso(start), "end": iso(end)})
        return grants
