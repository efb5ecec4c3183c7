"""Providers' bank accounts: the Moroccan RIB, its key, its IBAN, and a change approved twice.

A RIB (relevé d'identité bancaire) has 24 characters: bank code (3), city code (3), account
number (16), key (2). The key makes the whole number a multiple of 97, as the French RIB's
does; with Morocco's 3/3/16 layout that reads

    key = 97 - ((51 * bank + 89 * city + 3 * account) mod 97)

(51 = 10^21 mod 97, 89 = 10^18 mod 97, 3 = 10^2 mod 97: the positions of each part in the
24-digit number), checked against the IBAN registry's example MA64 0115 1900 0001 2050 0053
4921. Letters in an account number count as digits by the RIB rule (A, J: 1; B, K, S: 2 ...
I, R, Z: 9). The IBAN is "MA", two check digits (ISO 13616, mod 97-10), then the RIB.

The account a payer pays a provider into is the key of every transfer: a change is proposed
by one payer-side user and takes effect only when a different one approves it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from domain.errors import Conflict, DomainError, NotFound

RIB_LENGTH = 24
MAX_HOLDER_CHARS = 140  # pain.001's name of a party (Max140Text)
BANK, CITY, ACCOUNT = slice(0, 3), slice(3, 6), slice(6, 22)
KEY = slice(22, 24)
# The RIB rule's value of each letter (the French RIB's, which the Moroccan one follows).
_GROUPS = ("AJ", "BKS", "CLT", "DMU", "ENV", "FOW", "GPX", "HQY", "IRZ")
_LETTERS = {c: str(value) for value, group in enumerate(_GROUPS, 1) for c in group}


class InvalidRib(DomainError):
    """A RIB that is not 24 characters of the right kind, or whose key does not match."""

    code = "rib-invalide"


class SameApprover(Conflict):
    """A change of bank account approved by the user who proposed it."""

    code = "double-validation-requise"


class NoPendingChange(NotFound):
    """An approval with no change of account waiting for it."""

    code = "aucun-changement-en-attente"


def _digits(text: str) -> int:
    return int("".join(_LETTERS.get(c, c) for c in text))


def rib_key(bank: str, city: str, account: str) -> str:
    """The two-digit key of a RIB's bank, city and account parts."""
    rest = (51 * _digits(bank) + 89 * _digits(city) + 3 * _digits(account)) % 97
    return f"{97 - rest:02d}"


def _clean(text: str) -> str:
    return "".join(text.split()).upper()


@dataclass(frozen=True, slots=True)
class Rib:
    """A checked Moroccan RIB."""

    value: str  # 24 characters, no spaces

    @property
    def bank(self) -> str:
        """The bank code."""
        return self.value[BANK]

    @property
    def city(self) -> str:
        """The city (locality) code."""
        return self.value[CITY]

    @property
    def account(self) -> str:
        """The account number."""
        return self.value[ACCOUNT]

    @property
    def iban(self) -> str:
        """The account's IBAN: MA, check digits, the RIB."""
        check = 98 - int(_iban_digits(self.value + "MA00")) % 97
        return f"MA{check:02d}{self.value}"


def _iban_digits(text: str) -> str:
    return "".join(str(int(c, 36)) for c in text)


def parse_rib(text: str) -> Rib:
    """A RIB from what a person typed (spaces allowed); InvalidRib when it is not one."""
    value = _clean(text)
    if len(value) != RIB_LENGTH:
        raise InvalidRib(f"Un RIB compte {RIB_LENGTH} caractères, pas {len(value)}")
    if not (value[:6] + value[KEY]).isdigit() or not value[ACCOUNT].isalnum():
        raise InvalidRib("Code banque, code ville et clé sont des chiffres")
    if not value.isascii():
        raise InvalidRib("Un RIB ne s'écrit qu'en chiffres et lettres latines")
    if rib_key(value[BANK], value[CITY], value[ACCOUNT]) != value[KEY]:
        raise InvalidRib("La clé du RIB ne correspond pas à son numéro")
    return Rib(value)


def rib_of_iban(text: str) -> Rib:
    """The RIB inside a Moroccan IBAN, both checks passed; InvalidRib otherwise."""
    value = _clean(text)
    if not value.startswith("MA") or len(value) != 4 + RIB_LENGTH or not value.isalnum():
        raise InvalidRib("Un IBAN marocain compte 28 caractères et commence par MA")
    rib = parse_rib(value[4:])
    if rib.iban != value:
        raise InvalidRib("Les chiffres de contrôle de l'IBAN ne correspondent pas")
    return rib


@dataclass(frozen=True, slots=True)
class AccountChange:
    """A provider's new bank account, proposed, then approved by someone else."""

    id: str
    provider: str
    rib: Rib
    proposed_by: str
    proposed_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None
    holder: str = ""  # the account holder's name as the proposer read it ("" : not given)

    @property
    def approved(self) -> bool:
        """Whether the change has taken effect."""
        return self.approved_by is not None


def propose(
    change_id: str, provider: str, rib: Rib, *, by: str, at: datetime, holder: str = ""
) -> AccountChange:
    """A change of a provider's account, waiting for a second user's approval."""
    if not by.strip():
        raise InvalidRib("Le changement de compte nomme qui le propose")
    if len(holder.strip()) > MAX_HOLDER_CHARS:
        raise InvalidRib(f"Le nom du titulaire compte au plus {MAX_HOLDER_CHARS} caractères")
    return AccountChange(change_id, provider, rib, by, at, holder=holder.strip())


def approve(change: AccountChange, *, by: str, at: datetime) -> AccountChange:
    """The change approved: by a user other than the one who proposed it."""
    if change.approved:
        raise NoPendingChange(f"Le changement {change.id} est déjà approuvé")
    if by.strip() == change.proposed_by.strip():
        raise SameApprover("Le changement de compte est approuvé par un autre utilisateur")
    return replace(change, approved_by=by, approved_at=at)
