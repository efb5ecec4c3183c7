"""A synthetic payer registry: realistic Moroccan households in the registry file format.

The same seed and day always give the same population, byte for byte: one `random.Random`
drives every draw, and every date is drawn relative to `today`. Besides ordinary households
the population holds, several times over for any size from a thousand people, every case the
eligibility rules distinguish (see `EDGE_CASES`), so that demos and load tests meet them all.
Dates are realistic when `today` is 2025 or later (the TNS, Tadamon and Achamil schemes are
recent).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import orjson

Household = dict[str, object]
Person = dict[str, object]
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

# Per scheme: the registry its households come from (the file's sender), its weight among
# ordinary households (roughly its share of the insured), and how many days before today an
# open affiliation may have started (the schemes' own ages).
SCHEMES: dict[str, tuple[str, int, int, int]] = {
    "AMO_SALARIES": ("CNSS", 52, 400, 7000),
    "AMO_TADAMON": ("CNSS", 20, 90, 1000),
    "AMO_PUBLIC": ("CNOPS", 14, 400, 9000),
    "AMO_TNS": ("CNSS", 10, 450, 1500),
    "AMO_ACHAMIL": ("CNSS", 2, 200, 900),
    "AMO_ETUDIANTS": ("CNOPS", 2, 60, 1400),
}
_SCHEME_WEIGHTS = {scheme: weight for scheme, (_, weight, _, _) in SCHEMES.items()}
_SIZE_WEIGHTS = {1: 18, 2: 14, 3: 17, 4: 19, 5: 16, 6: 10, 7: 6}
_STANDING_WEIGHTS = {
    "AMO_SALARIES": {"open": 90, "waiting": 4, "transferred": 2, "maintained": 3, "lapsed": 1},
    "AMO_TNS": {"open": 78, "suspended": 12, "settled": 5, "tns-waiting": 5},
}
_ALD_CODES = tuple(f"ALD{n:02d}" for n in range(1, 42))  # arrêté 2518-05 lists 41
_ALD_SHARE = 0.06  # adults with a long-term condition in ordinary households
_MOVED_FROM = ("AMO_TNS", "AMO_TADAMON", "AMO_PUBLIC", "AMO_ACHAMIL")
# CIN letters name the issuing region: a sample of those seen on cards.
_CIN_PREFIXES = _names(
    "A, B, BB, BE, BH, BJ, BK, BL, BW, C, CB, CD, D, DA, DJ, E, EE, F, FA, G, GA, GM, H, HA, "
    "I, IA, J, JA, JB, JC, JE, JH, JK, K, KB, L, LA, M, MA, N, P, PA, Q, R, S, SH, T, TA, U, "
    "UA, V, W, WA, X, Y, Z, ZG"
)
_CIN_NUMBERS = 900_000  # six digits, 100000..999999
EDGE_EVERY = 4  # one household in four shows an edge case, in turn

# The cases every population holds: persona kind -> (scheme, standing, shape).
EDGE_CASES: dict[str, tuple[str, str, str]] = {
    "polygamous": ("AMO_SALARIES", "open", "polygamous"),
    "student": ("AMO_SALARIES", "open", "student"),
    "married-student": ("AMO_PUBLIC", "open", "married-student"),
    "over-age-child": ("AMO_TADAMON", "open", "over-age"),
    "disabled-child": ("AMO_PUBLIC", "open", "disabled"),
    "ald": ("AMO_SALARIES", "open", "ald"),
    "waiting-period": ("AMO_SALARIES", "waiting", "plain"),
    "transferred": ("AMO_SALARIES", "transferred", "plain"),
    "suspended": ("AMO_TNS", "suspended", "ald"),
    "tns-waiting": ("AMO_TNS", "tns-waiting", "plain"),
    "tns-settled": ("AMO_TNS", "settled", "plain"),
    "maintained": ("AMO_SALARIES", "maintained", "plain"),
    "lapsed": ("AMO_SALARIES", "lapsed", "plain"),
    "double-affiliation": ("AMO_SALARIES", "open", "double"),
    "open": ("AMO_TADAMON", "open", "plain"),
    "etudiant": ("AMO_ETUDIANTS", "open", "single"),
    "achamil": ("AMO_ACHAMIL", "open", "plain"),
}
_EDGE_KINDS = tuple(EDGE_CASES)
_MIN_SIZE = {"polygamous": 3, "double": 2, "single": 1, "plain": 1}  # others: 2


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one household will be: the case it shows, its scheme, standing, shape and size."""

    kind: str  # an EDGE_CASES key, or "ordinary"
    scheme: str
    standing: str
    shape: str
    size: int


def _serial(rng: random.Random, span: int, low: int) -> Iterator[int]:
    """Unique values in a scrambled order: n -> low + (a*n + b) mod span is one-to-one."""
    a = rng.randrange(span // 3, span)
    while math.gcd(a, span) != 1:
        a += 1
    b = rng.randrange(span)
    return (low + (a * n + b) % span for n in itertools.count(1))


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _months_before(day: date, count: int) -> list[date]:
    """The first days of the `count` months before the month of `day`, oldest first."""
    index = day.year * 12 + day.month - 1
    return [date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(count, 0, -1)]


class _Factory:
    """The random draws, all from one seeded generator, and the identifier serials."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.idcs = _serial(self.rng, 9 * 10**9, 10**9)
        self.cnss = _serial(self.rng, 9 * 10**8, 10**8)
        self.cnops = _serial(self.rng, 9 * 10**7, 10**7)
        self.cin = _serial(self.rng, len(_CIN_PREFIXES) * _CIN_NUMBERS, 0)

    def ago(self, low: int, high: int) -> date:
        """A day between `high` and `low` days before today."""
        return self.today - timedelta(days=self.rng.randint(low, high))

    def born(self, age: int) -> date:
        """A birth date giving exactly that age today."""
        return _years_before(self.today, age) - timedelta(days=self.rng.randint(1, 364))

    def pick(self, weights: dict[T, int]) -> T:
        """One key, drawn with the given weights."""
        return self.rng.choices(tuple(weights), weights=tuple(weights.values()))[0]

    def cin_number(self) -> str:
        """A new CIN: region letters and six digits."""
        n = next(self.cin)
        return f"{_CIN_PREFIXES[n // _CIN_NUMBERS]}{n % _CIN_NUMBERS + 100_000}"

    def contributions(self, before: date) -> list[dict[str, object]]:
        """A full year of declared working days, up to the month before `before`."""
        months = _months_before(before, 12)
        return [{"month": m.strftime("%Y-%m"), "days": self.rng.randint(20, 26)} for m in months]

    def ald(self, born: date, count: int) -> list[dict[str, object]]:
        """`count` long-term conditions, most without an end."""
        grants: list[dict[str, object]] = []
        for code in self.rng.sample(_ALD_CODES, count):
            start, ends = max(born, self.ago(30, 4000)), self.rng.random() < 0.2  # most run on
            end = self.today + timedelta(days=self.rng.randint(60, 900)) if ends else None
            grants.append({"condition": code, "start": _iso(start), "end": _iso(end)})
        return grants


_UNSET = {"end": None, "contributions": []} | dict.fromkeys(
    ("first_payment", "suspended_from", "suspended_until", "transferred_from")
)


def _affiliation(scheme: str, start: date, **fields: object) -> dict[str, object]:
    """An insured's affiliation in the file format, every field written (null when unset)."""
    given = {k: _iso(v) if isinstance(v, date) else v for k, v in fields.items() if v}
    return {"scheme": scheme, "start": start.isoformat(), **_UNSET, **given}


def _insured_affiliation(f: _Factory, scheme: str, standing: str, adult: date) -> dict[str, object]:
    """The insured's affiliation as the standing asks (see `_STANDING_WEIGHTS`)."""
    if standing in ("waiting", "transferred"):
        return _newcomer(f, scheme, moved=standing == "transferred")
    if standing in ("maintained", "lapsed"):
        return _ended(f, scheme, adult, lapsed=standing == "lapsed")
    if standing == "tns-waiting":
        start = f.ago(10, 70)
        return _affiliation(scheme, start, first_payment=start)
    return _current(f, scheme, standing, adult)


def _newcomer(f: _Factory, scheme: str, *, moved: bool) -> dict[str, object]:
    """Hired last month: one month declared, short of the minimum unless moved from a scheme."""
    start = _months_before(f.today, 1)[0]
    days = [{"month": start.strftime("%Y-%m"), "days": f.rng.randint(8, 26)}]
    source = f.rng.choice(_MOVED_FROM) if moved else None
    return _affiliation(scheme, start, contributions=days, transferred_from=source)


def _ended(f: _Factory, scheme: str, adult: date, *, lapsed: bool) -> dict[str, object]:
    """Left the scheme: within the 6 months' maintenance of rights, or long before."""
    end = f.ago(200, 1000) if lapsed else f.ago(15, 160)
    start = max(adult, end - timedelta(days=f.rng.randint(400, 6000)))
    return _affiliation(scheme, start, end=end, contributions=f.contributions(end))


def _current(f: _Factory, scheme: str, standing: str, adult: date) -> dict[str, object]:
    """Affiliated for a while: open, or a TNS in arrears (suspended) or once in arrears."""
    _, _, low, high = SCHEMES[scheme]
    start = max(adult, f.ago(low, high))
    salaried = scheme == "AMO_SALARIES"
    paying = scheme in ("AMO_TNS", "AMO_ACHAMIL")
    arrears = {
        "suspended": {"suspended_from": f.ago(30, 300)},
        "settled": {"suspended_from": f.ago(200, 400), "suspended_until": f.ago(10, 150)},
    }.get(standing, {})
    return _affiliation(
        scheme,
        start,
        contributions=f.contributions(f.today) if salaried else None,
        first_payment=start + timedelta(days=f.rng.randint(0, 30)) if paying else None,
        **arrears,
    )


# Households.

_CHILD_SHAPES = {
    "student": (22, 25),
    "married-student": (22, 25),
    "over-age": (22, 25),
    "disabled": (27, 40),
}


def _child_facts(f: _Factory, shape: str, age: int) -> dict[str, object]:
    """The dependant facts of a child of that shape ("plain": an ordinary child)."""
    ordinary_student = shape == "plain" and age >= 18 and f.rng.random() < 0.4
    studying = shape in ("student", "married-student") or ordinary_student
    until = date(f.today.year + f.rng.randint(1, 2), 6, 30) if studying else None
    married = shape == "married-student"
    return {"student_until": _iso(until), "married": married, "disabled": shape == "disabled"}


def _children(f: _Factory, shape: str, count: int) -> list[tuple[int, dict[str, object]]]:
    """Children's ages and facts, the one showing the household's case first."""
    shapes = [shape] if shape in _CHILD_SHAPES else []
    shapes += ["plain"] * (count - len(shapes))
    ages = [f.rng.randint(*_CHILD_SHAPES.get(s, (0, 20))) for s in shapes]
    return [(age, _child_facts(f, s, age)) for s, age in zip(shapes, ages, strict=True)]


def _spouses(f: _Factory, shape: str, others: int) -> int:
    """How many spouses among the insured's `others` dependants."""
    if shape == "polygamous":
        return 2
    wanted = 1 if others > 0 and f.rng.random() < 0.85 else 0
    return min(wanted, others - (shape in _CHILD_SHAPES))


def _person(
    f: _Factory, head: Person, sex: str, age: int, family: str, number: str = ""
) -> tuple[Person, date]:
    """A person with fresh identifiers (the payer's `number`, a CIN from 18), and their birth."""
    identifiers = {"idcs": str(next(f.idcs))}
    if number:
        identifiers[str(head["member_id"]).split("-")[0].lower()] = number
    if age >= 18:
        identifiers["cin"] = f.cin_number()
    given = f.rng.choice(MALE_NAMES if sex == "male" else FEMALE_NAMES)
    born = f.born(age)
    names = {"family_name": family, "given_name": given}
    return {**head, "identifiers": identifiers, **names, "birth_date": _iso(born), "sex": sex}, born


def _ald_count(f: _Factory, shape: str, role: str, age: int) -> int:
    """How many long-term conditions a person has."""
    if role == "insured" and shape == "ald":
        return f.rng.randint(1, 2)
    return int(f.rng.random() < (_ALD_SHARE if age >= 18 else _ALD_SHARE / 6))


def _insured(f: _Factory, plan: _Plan, oldest: int | None, married: bool) -> tuple[Person, int]:
    """The head of the household, affiliated as the plan says, and their age."""
    if plan.scheme == "AMO_ETUDIANTS":
        age = f.rng.randint(18, 25)
    else:
        age = f.rng.randint(23, 70) if oldest is None else min(85, oldest + f.rng.randint(20, 38))
    male = plan.shape == "polygamous" or f.rng.random() < (0.7 if married else 0.5)
    registry = SCHEMES[plan.scheme][0]
    number = str(next(f.cnss) if registry == "CNSS" else next(f.cnops))
    head: Person = {"member_id": f"{registry}-{number}", "role": "insured"}
    sex, family = "male" if male else "female", f.rng.choice(FAMILY_NAMES)
    person, born = _person(f, head, sex, age, family, number)
    cover = _insured_affiliation(f, plan.scheme, plan.standing, _years_before(born, -18))
    grants = f.ald(born, _ald_count(f, plan.shape, "insured", age))
    return person | {"affiliations": [cover], "ald": grants}, age


def _dependant(
    f: _Factory, insured: Person, rank: int, who: tuple[str, str, int, str], facts: Person
) -> Person:
    """A spouse or child (`who`: role, sex, age, family name) covered through the insured."""
    role, sex, age, family = who
    member_id = str(insured["member_id"])
    head: Person = {"member_id": f"{member_id}-{rank:02d}", "role": role, "insured": member_id}
    person, born = _person(f, head, sex, age, family)
    cover: dict[str, object] = insured["affiliations"][0]  # type: ignore[index]
    # Covered from birth at the earliest, and never past the insured's own end.
    start = max(date.fromisoformat(str(cover["start"])), born)
    if cover["end"] is not None:
        start = min(start, date.fromisoformat(str(cover["end"])))
    cover = {"scheme": cover["scheme"], "start": _iso(start), "end": cover["end"]}
    grants = f.ald(born, _ald_count(f, "plain", role, age))
    return person | {"dependant": facts, "affiliations": [cover], "ald": grants}


def _family(f: _Factory, plan: _Plan, size: int) -> tuple[str, list[Person], Person]:
    """The payer, the insured and their dependants, and the person showing the plan's case."""
    others = size - 1
    spouses = 0 if plan.shape == "single" else _spouses(f, plan.shape, others)
    children = _children(f, plan.shape, others - spouses)
    oldest = max((age for age, _ in children), default=None)
    insured, age = _insured(f, plan, oldest, spouses > 0)
    members = [insured]
    insured_sex = str(insured["sex"])
    for _ in range(spouses):
        sex = "female" if insured_sex == "male" else "male"
        spouse_age = max(18, (oldest or 0) + 18, age + f.rng.randint(-10, 3))
        who = ("spouse", sex, spouse_age, f.rng.choice(FAMILY_NAMES))
        facts: Person = {"student_until": None, "married": True, "disabled": False}
        members.append(_dependant(f, insured, len(members) + 1, who, facts))
    father = insured if insured_sex == "male" or spouses == 0 else members[1]
    for child_age, child_facts in children:
        who = ("child", f.rng.choice(("male", "female")), child_age, str(father["family_name"]))
        members.append(_dependant(f, insured, len(members) + 1, who, child_facts))
    focus = members[2] if plan.shape == "polygamous" else insured
    if plan.shape in _CHILD_SHAPES:
        focus = members[1 + spouses]
    return SCHEMES[plan.scheme][0], members, focus


def _public_twin(f: _Factory, person: Person) -> Person:
    """The same person again, as an insured of the public sector: a double affiliation."""
    number = str(next(f.cnops))
    known: dict[str, str] = person["identifiers"]  # type: ignore[assignment]
    identifiers = {"idcs": known["idcs"], "cnops": number, "cin": known["cin"]}
    adult = _years_before(date.fromisoformat(str(person["birth_date"])), -18)
    cover = _affiliation("AMO_PUBLIC", max(adult, f.ago(400, 3000)))
    changed = {"member_id": f"CNOPS-{number}", "identifiers": identifiers}
    return person | changed | {"affiliations": [cover], "ald": []}


def _households(f: _Factory, plan: _Plan) -> Iterator[tuple[str, list[Person], Person]]:
    """The plan's household; for a double affiliation, also the insured's second record."""
    if plan.shape != "double":
        yield _family(f, plan, plan.size)
        return
    payer, members, insured = _family(f, replace(plan, shape="plain"), plan.size - 1)
    yield payer, members, insured
    yield "CNOPS", [_public_twin(f, insured)], insured


def _plan(f: _Factory, number: int, remaining: int) -> _Plan:
    """Household `number`'s plan: an edge case in turn every EDGE_EVERY, else ordinary."""
    size = f.pick(_SIZE_WEIGHTS)
    if number % EDGE_EVERY == 1:
        kind = _EDGE_KINDS[(number // EDGE_EVERY) % len(_EDGE_KINDS)]
        scheme, standing, shape = EDGE_CASES[kind]
        size = 1 if shape == "single" else max(size, _MIN_SIZE.get(shape, 2))
        if size <= remaining:
            return _Plan(kind, scheme, standing, shape, size)
    scheme = f.pick(_SCHEME_WEIGHTS)
    standing = f.pick(_STANDING_WEIGHTS[scheme]) if scheme in _STANDING_WEIGHTS else "open"
    shape = "single" if scheme == "AMO_ETUDIANTS" else "plain"
    return _Plan("ordinary", scheme, standing, shape, min(size, remaining))


def _population(seed: int, people: int, today: date) -> Iterator[tuple[Household, str, Person]]:
    """Each household, with the case its plan shows and the person showing it."""
    f = _Factory(seed, today)
    remaining, plans, number = people, 0, 0
    while remaining > 0:
        plan = _plan(f, plans, remaining)
        plans += 1
        for payer, members, focus in _households(f, plan):
            number += 1
            remaining -= len(members)
            household: Household = {"household": f"H{number:08d}", "payer": payer}
            household["members"] = members
            yield household, plan.kind, focus


def generate_population(*, seed: int, people: int, today: date) -> Iterator[Household]:
    """Households in the registry file format; `people` member records in all, deterministic."""
    for household, _, _ in _population(seed, people, today):
        yield household


def write_population(path: Path, *, seed: int, people: int, today: date) -> int:
    """Write a generated registry file (JSON Lines); the number of member records written."""
    written = 0
    with path.open("wb") as out:
        for household in generate_population(seed=seed, people=people, today=today):
            out.write(orjson.dumps(household, option=orjson.OPT_APPEND_NEWLINE))
            written += len(household["members"])  # type: ignore[arg-type]
    return written


def personas(seed: int, people: int, today: date) -> dict[str, tuple[str, str]]:
    """One person per edge case of that population: case -> (identifier kind, value)."""
    found: dict[str, tuple[str, str]] = {}
    for _, kind, focus in _population(seed, people, today):
        if kind in EDGE_CASES and kind not in found:
            found[kind] = ("idcs", focus["identifiers"]["idcs"])  # type: ignore[index]
        if len(found) == len(EDGE_CASES):
            break
    return found
