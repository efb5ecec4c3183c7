"""The quick reading of a registry household: shape and rules in one pass, for valid lines.

A national registry is tens of millions of people, nearly all of them well formed. The
careful reading (`registry_format.read_household`, then `domain.registry.check_household`)
tracks where every value sits so that it can name it in a message; here a household is read
without that bookkeeping, into the very same registry entries. Anything unusual (a wrong
type, an unknown code, a date out of order, a field it does not expect) makes it give up:
the careful reading then reads the line again, and either stores it the same way or says
precisely what is wrong. So the quick reading may refuse more than the rules do, never less.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from adapters.registry_format import _AFFILIATION, _ALD, _DEPENDANT, _HOUSEHOLD, _MEMBER
from domain.members import (
    Affiliation,
    AldGrant,
    ContributionMonth,
    DependantFacts,
    IdentifierKind,
    Member,
    PersonIdentifier,
    Role,
)
from domain.records import PersonName, RegistryEntry
from domain.reference import ReferenceData
from domain.registry import MAX_MONTH_DAYS, SEXES
from domain.rules.identifiers import clean_identifier

_MONTH = re.compile(r"\d{4}-\d{2}")
_CONTRIBUTION = frozenset({"month", "days"})
_KINDS = tuple((kind, kind.value) for kind in IdentifierKind)  # Enum lookups cost, per member
_ROLES = {role.value: role for role in Role}
# Dates and months read, by their text: a registry repeats them (a century is 36,525 days).
DATES_KEPT = 50_000
_DATES: dict[str, date] = {}
_MONTHS: dict[str, date] = {}
Quick = Callable[[object], "list[RegistryEntry] | None"]


class _Unusual(Exception):
    """The household needs the careful reading."""


def quick_reader(ref: ReferenceData, today: date) -> Quick:
    """A reader of household objects valid on `today`: their entries, or None to read carefully."""
    rules = _Rules(ref, today)

    def read(value: object) -> list[RegistryEntry] | None:
        try:
            return rules.household(value)
        except (_Unusual, ValueError, TypeError, KeyError, AttributeError):
            return None

    return read


class _Rules:
    """The codes and identifier formats of the day, looked up once per file."""

    def __init__(self, ref: ReferenceData, today: date) -> None:
        self.today = today
        self.payers = frozenset(payer.code for payer in ref.payers)
        self.schemes = frozenset(scheme.code for scheme in ref.schemes)
        self.conditions = frozenset(condition.code for condition in ref.ald)
        self.patterns = {kind: _pattern(ref, kind, today) for kind, _ in _KINDS}

    def household(self, value: object) -> list[RegistryEntry]:
        obj = _fields(value, _HOUSEHOLD)
        _text(obj["household"])
        if _text(obj["payer"]) not in self.payers:
            raise _Unusual
        members = obj["members"]
        if type(members) is not list or not members:
            raise _Unusual
        entries = [self.member(member) for member in members]
        _check_household(entries)
        return entries

    def member(self, value: object) -> RegistryEntry:
        obj = _fields(value, _MEMBER)
        role = _ROLES[_text(obj["role"])]
        insured, dependant = obj.get("insured"), obj.get("dependant")
        if role is Role.INSURED:
            if insured is not None or dependant is not None:
                raise _Unusual
        else:
            insured = _text(insured)
            dependant = DependantFacts() if dependant is None else _dependant(dependant)
        birth, sex = _date(obj["birth_date"]), _text(obj["sex"])
        if birth > self.today or sex not in SEXES:
            raise _Unusual
        affiliations = tuple(self.affiliation(a, role, insured) for a in _list(obj, "affiliations"))
        member = Member(
            _text(obj["member_id"]),
            birth,
            affiliations or _unusual(),
            ald=tuple(self.ald(grant) for grant in _list(obj, "ald")),
            dependant=dependant,
        )
        name = PersonName(_text(obj["family_name"]), _text(obj["given_name"]))
        return RegistryEntry(member, self.identifiers(obj["identifiers"]), name, sex)

    def identifiers(self, value: object) -> tuple[PersonIdentifier, ...]:
        obj = _fields(value, _IDENTIFIER_FIELDS)
        found = []
        for kind, name in _KINDS:
            text = obj.get(name)
            if text is not None:
                clean = clean_identifier(kind, _text(text))
                if not self.patterns[kind].fullmatch(clean):
                    raise _Unusual
                found.append(PersonIdentifier(kind, clean))
        return tuple(found) or _unusual()

    def affiliation(self, value: object, role: Role, insured: str | None) -> Affiliation:
        obj = _fields(value, _AFFILIATION)
        scheme = _text(obj["scheme"])
        start, end = _date(obj["start"]), _day(obj.get("end"))
        paused, resumed = _day(obj.get("suspended_from")), _day(obj.get("suspended_until"))
        moved = obj.get("transferred_from")
        moved = None if moved is None else _text(moved)
        if scheme not in self.schemes or (moved is not None and moved not in self.schemes):
            raise _Unusual
        if (end is not None and end < start) or (resumed is not None and paused is None):
            raise _Unusual
        if paused is not None and resumed is not None and resumed < paused:
            raise _Unusual
        return Affiliation(
            scheme, role, start, end, insured, _contributions(_list(obj, "contributions")),
            _day(obj.get("first_payment")), paused, resumed, moved,
        )  # fmt: skip

    def ald(self, value: object) -> AldGrant:
        obj = _fields(value, _ALD)
        grant = AldGrant(_text(obj["condition"]), _date(obj["start"]), _day(obj.get("end")))
        if grant.condition not in self.conditions or (grant.end and grant.end < grant.start):
            raise _Unusual
        return grant


_IDENTIFIER_FIELDS = frozenset(name for _, name in _KINDS)


def _pattern(ref: ReferenceData, kind: IdentifierKind, today: date) -> re.Pattern[str]:
    fmt = ref.identifier_format(kind.value, today)
    if fmt is None:  # the careful reading says which format is missing
        return re.compile(r"(?!)")
    return ref.index().compiled(fmt.pattern)


def _unusual() -> Any:
    raise _Unusual


def _fields(value: object, known: frozenset[str]) -> Mapping[str, Any]:
    if type(value) is not dict or not known.issuperset(value):
        raise _Unusual
    return value


def _list(obj: Mapping[str, Any], name: str) -> list[Any]:
    value = obj.get(name)
    if value is None:
        return []
    if type(value) is not list:
        raise _Unusual
    return value


def _text(value: object) -> str:
    if type(value) is not str or not (text := value.strip()):
        raise _Unusual
    return text


def _date(value: object) -> date:
    known = _DATES.get(value)  # type: ignore[call-overload]
    if known is not None:
        return known
    if type(value) is not str or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise _Unusual
    day = date.fromisoformat(value)
    if len(_DATES) < DATES_KEPT:
        _DATES[value] = day
    return day


def _month(value: object) -> date:
    known = _MONTHS.get(value)  # type: ignore[call-overload]
    if known is not None:
        return known
    if type(value) is not str or not _MONTH.fullmatch(value):
        raise _Unusual
    first = date.fromisoformat(f"{value}-01")
    if len(_MONTHS) < DATES_KEPT:
        _MONTHS[value] = first
    return first


def _day(value: object) -> date | None:
    return None if value is None else _date(value)


def _flag(value: object) -> bool:
    if value is None:
        return False
    if type(value) is not bool:
        raise _Unusual
    return value


def _dependant(value: object) -> DependantFacts:
    obj = _fields(value, _DEPENDANT)
    return DependantFacts(
        _day(obj.get("student_until")),
        _flag(obj.get("married")),
        _flag(obj.get("disabled")),
        _day(obj.get("married_on")),
    )


def _contributions(values: list[Any]) -> tuple[ContributionMonth, ...]:
    months = []
    for value in values:
        obj = _fields(value, _CONTRIBUTION)
        days = obj["days"]
        if type(days) is not int or not 0 <= days <= MAX_MONTH_DAYS:
            raise _Unusual
        months.append(ContributionMonth(_month(obj["month"]), days))
    if len({m.month for m in months}) != len(months):
        raise _Unusual
    return tuple(months)


def _check_household(entries: list[RegistryEntry]) -> None:
    """Distinct members and identifiers; dependants through an insured of the household."""
    if len({e.member.member_id for e in entries}) != len(entries):
        raise _Unusual
    identifiers = [i for e in entries for i in e.identifiers]
    if len(set(identifiers)) != len(identifiers):
        raise _Unusual
    schemes_of = {
        e.member.member_id: {a.scheme for a in e.member.affiliations}
        for e in entries
        if e.member.dependant is None
    }
    for entry in entries:
        for affiliation in entry.member.affiliations:
            insured = affiliation.insured_id
            if insured is not None and affiliation.scheme not in schemes_of.get(insured, ()):
                raise _Unusual
