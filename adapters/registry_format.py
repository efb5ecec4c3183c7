"""The JSON shape of a registry file's household (`docs/registry-format.md`).

Reads one household object into a `domain.registry.DeclaredHousehold`: each value's JSON
type, dates written AAAA-MM-JJ and months AAAA-MM, required fields present and unknown
fields refused. The rules (known codes, coherent dates, dependants, unique identifiers) are
the domain's (`domain.registry.check_household`). A problem fails at its place, with the
line and the JSON path, in French; names and identifiers are never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import TypeVar

from domain.members import AldGrant, ContributionMonth, DependantFacts, IdentifierKind
from domain.records import PersonName
from domain.registry import At, DeclaredAffiliation, DeclaredHousehold, DeclaredMember

_MONTH = re.compile(r"\d{4}-\d{2}")
# Known fields per object: an unknown one is refused, so that a misspelt field is not lost.
_HOUSEHOLD = frozenset({"household", "payer", "members"})
_MEMBER = frozenset({"member_id", "role", "insured", "identifiers", "family_name", "given_name"})
_MEMBER |= {"birth_date", "sex", "dependant", "affiliations", "ald"}
_AFFILIATION = frozenset({"scheme", "start", "end", "contributions", "first_payment"})
_AFFILIATION |= {"suspended_from", "suspended_until", "transferred_from"}
_DEPENDANT = frozenset({"student_until", "married", "married_on", "disabled"})
_ALD = frozenset({"condition", "start", "end"})
_CONTRIBUTION = frozenset({"month", "days"})
_IDENTIFIERS = frozenset(kind.value for kind in IdentifierKind)

T = TypeVar("T")
Reader = Callable[[object, At], T]


def read_households(
    objects: Iterable[tuple[int, object]],
) -> Iterator[tuple[int, DeclaredHousehold]]:
    """Each (line, household object) read as it comes: a bad one fails when reached."""
    for line, value in objects:
        yield line, read_household(value, line=line)


def read_household(value: object, *, line: int) -> DeclaredHousehold:
    """One household object of a registry file, checked for shape only."""
    at = At(line)
    obj = _object(value, at, _HOUSEHOLD)
    return DeclaredHousehold(
        household=_required(obj, "household", at, _text),
        payer=_required(obj, "payer", at, _text),
        members=tuple(_member(v, a) for v, a in _items(obj, "members", at, required=True)),
    )


# Readers: each checks one JSON value's type and shape, or fails at its place.


def _object(value: object, at: At, fields: frozenset[str]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        at.fail("objet attendu")
    unknown = sorted(str(name) for name in value if name not in fields)
    if unknown:
        at.key(unknown[0]).fail("champ inconnu")
    return value


def _list(value: object, at: At) -> list[object]:
    if not isinstance(value, list):
        at.fail("liste attendue")
    return value


def _text(value: object, at: At) -> str:
    if not isinstance(value, str) or not value.strip():
        at.fail("texte non vide attendu")
    return value.strip()


def _flag(value: object, at: At) -> bool:
    if not isinstance(value, bool):
        at.fail("booléen attendu (true ou false)")
    return value


def _whole(value: object, at: At) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        at.fail("nombre entier attendu")
    return value


def _date(value: object, at: At) -> date:
    if not isinstance(value, str):
        at.fail("date attendue (AAAA-MM-JJ)")
    try:  # fromisoformat also takes "20240101" and week dates: the format says AAAA-MM-JJ
        if len(value) == 10 and value[4] == value[7] == "-":
            return date.fromisoformat(value)
    except ValueError:
        pass
    at.fail(f"date invalide « {value[:20]} »")


def _month(value: object, at: At) -> date:
    if not isinstance(value, str):
        at.fail("mois attendu (AAAA-MM)")
    try:
        if _MONTH.fullmatch(value):
            return date.fromisoformat(f"{value}-01")
    except ValueError:
        pass
    at.fail(f"mois invalide « {value[:20]} »")


def _optional(obj: Mapping[str, object], name: str, at: At, read: Reader[T]) -> T | None:
    value = obj.get(name)
    return None if value is None else read(value, at.key(name))


def _required(obj: Mapping[str, object], name: str, at: At, read: Reader[T]) -> T:
    if obj.get(name) is None:
        at.key(name).fail("champ obligatoire absent")
    return read(obj[name], at.key(name))


def _items(
    obj: Mapping[str, object], name: str, at: At, *, required: bool = False
) -> list[tuple[object, At]]:
    read = _required if required else _optional
    values = read(obj, name, at, _list) or []
    return [(value, at.key(name).item(i)) for i, value in enumerate(values)]


# Parts of a member.


def _member(value: object, at: At) -> DeclaredMember:
    obj = _object(value, at, _MEMBER)
    return DeclaredMember(
        member_id=_required(obj, "member_id", at, _text),
        role=_required(obj, "role", at, _text),
        insured=_optional(obj, "insured", at, _text),
        identifiers=_required(obj, "identifiers", at, _identifiers),
        name=PersonName(
            _required(obj, "family_name", at, _text), _required(obj, "given_name", at, _text)
        ),
        birth_date=_required(obj, "birth_date", at, _date),
        sex=_required(obj, "sex", at, _text),
        dependant=_optional(obj, "dependant", at, _dependant),
        affiliations=tuple(_affiliation(v, a) for v, a in _items(obj, "affiliations", at)),
        ald=tuple(_ald(v, a) for v, a in _items(obj, "ald", at)),
    )


def _identifiers(value: object, at: At) -> tuple[tuple[IdentifierKind, str], ...]:
    """The identifiers given (a null one is not given), in the order of IdentifierKind."""
    obj = _object(value, at, _IDENTIFIERS)
    return tuple(
        (kind, _text(obj[kind.value], at.key(kind.value)))
        for kind in IdentifierKind
        if obj.get(kind.value) is not None
    )


def _affiliation(value: object, at: At) -> DeclaredAffiliation:
    obj = _object(value, at, _AFFILIATION)
    return DeclaredAffiliation(
        scheme=_required(obj, "scheme", at, _text),
        start=_required(obj, "start", at, _date),
        end=_optional(obj, "end", at, _date),
        contributions=tuple(_contribution(v, a) for v, a in _items(obj, "contributions", at)),
        first_payment=_optional(obj, "first_payment", at, _date),
        suspended_from=_optional(obj, "suspended_from", at, _date),
        suspended_until=_optional(obj, "suspended_until", at, _date),
        transferred_from=_optional(obj, "transferred_from", at, _text),
    )


def _contribution(value: object, at: At) -> ContributionMonth:
    obj = _object(value, at, _CONTRIBUTION)
    return ContributionMonth(
        month=_required(obj, "month", at, _month), working_days=_required(obj, "days", at, _whole)
    )


def _ald(value: object, at: At) -> AldGrant:
    obj = _object(value, at, _ALD)
    return AldGrant(
        condition=_required(obj, "condition", at, _text),
        start=_required(obj, "start", at, _date),
        end=_optional(obj, "end", at, _date),
    )


def _dependant(value: object, at: At) -> DependantFacts:
    obj = _object(value, at, _DEPENDANT)
    return DependantFacts(
        student_until=_optional(obj, "student_until", at, _date),
        married=_optional(obj, "married", at, _flag) or False,
        disabled=_optional(obj, "disabled", at, _flag) or False,
        married_on=_optional(obj, "married_on", at, _date),
    )
