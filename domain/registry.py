"""Payer registry files: one household object -> registry entries, checked field by field.

The format is described in `docs/registry-format.md`. Every problem raises `InvalidRequest`
naming the line, the JSON path and what is wrong, in French for the operator. Messages never
carry a name, and identifiers only masked: registry files are patient data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import NamedTuple, NoReturn, TypeVar

from domain.errors import InvalidIdentifier, InvalidRequest
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
from domain.rules.identifiers import normalize_identifier

SEXES = frozenset({"male", "female", "unknown"})  # FHIR administrative-gender, less "other"
MAX_MONTH_DAYS = 31
_MONTH = re.compile(r"\d{4}-\d{2}")
# Known fields per object: an unknown one is refused, so that a misspelt field is not lost.
_HOUSEHOLD = frozenset({"household", "payer", "members"})
_MEMBER = frozenset({"member_id", "role", "insured", "identifiers", "family_name", "given_name"})
_MEMBER |= {"birth_date", "sex", "dependant", "affiliations", "ald"}
_AFFILIATION = frozenset({"scheme", "start", "end", "contributions", "first_payment"})
_AFFILIATION |= {"suspended_from", "suspended_until", "transferred_from"}
_DEPENDANT = frozenset({"student_until", "married", "disabled"})
_ALD = frozenset({"condition", "start", "end"})
_CONTRIBUTION = frozenset({"month", "days"})
_IDENTIFIERS = frozenset(kind.value for kind in IdentifierKind)

T = TypeVar("T")
Reader = Callable[[object, "At"], T]


class At(NamedTuple):
    """Where a value sits in the file: a line and a JSON path, for error messages.

    The path is only written out on failure: a million-person file visits tens of millions
    of places and fails at most at one.
    """

    line: int
    parent: At | None = None
    step: str | int = ""

    def key(self, name: str) -> At:
        """The place of a field of this object."""
        return At(self.line, self, name)

    def item(self, position: int) -> At:
        """The place of an item of this list."""
        return At(self.line, self, position)

    @property
    def path(self) -> str:
        """The JSON path, as in "members[1].birth_date"."""
        if self.parent is None:
            return ""
        base = self.parent.path
        if isinstance(self.step, int):
            return f"{base}[{self.step}]"
        return f"{base}.{self.step}" if base else self.step

    def fail(self, what: str) -> NoReturn:
        """Stop the import with a message naming the line and the path."""
        where = f"ligne {self.line}, {self.path}" if self.path else f"ligne {self.line}"
        raise InvalidRequest(f"{where} : {what}")


def mask(value: str) -> str:
    """An identifier as shown in a message: only its last three characters."""
    return "*" * max(len(value) - 3, 0) + value[-3:]


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


def _items(obj: Mapping[str, object], name: str, at: At) -> list[tuple[object, At]]:
    values = _optional(obj, name, at, _list) or []
    return [(value, at.key(name).item(i)) for i, value in enumerate(values)]


def _end(start: date, obj: Mapping[str, object], name: str, at: At) -> date | None:
    end = _optional(obj, name, at, _date)
    if end is not None and end < start:
        at.key(name).fail(f"fin {end.isoformat()} antérieure au début {start.isoformat()}")
    return end


def _code(value: object, at: At, known: set[str], what: str) -> str:
    code = _text(value, at)
    if code not in known:
        at.fail(f"{what} inconnu « {code[:30]} »")
    return code


# Parts of a member.


def _contribution(value: object, at: At) -> ContributionMonth:
    obj = _object(value, at, _CONTRIBUTION)
    month = _required(obj, "month", at, _month)
    days = _required(obj, "days", at, _whole)
    if not 0 <= days <= MAX_MONTH_DAYS:
        at.key("days").fail(f"nombre de jours hors de 0..{MAX_MONTH_DAYS} : {days}")
    return ContributionMonth(month=month, working_days=days)


def _contributions(obj: Mapping[str, object], at: At) -> tuple[ContributionMonth, ...]:
    months: dict[date, ContributionMonth] = {}
    for value, place in _items(obj, "contributions", at):
        month = _contribution(value, place)
        if month.month in months:
            place.key("month").fail(f"mois en double « {month.month.strftime('%Y-%m')} »")
        months[month.month] = month
    return tuple(months.values())


def _suspension(obj: Mapping[str, object], at: At) -> tuple[date | None, date | None]:
    start = _optional(obj, "suspended_from", at, _date)
    if start is None:
        if obj.get("suspended_until") is not None:
            at.key("suspended_until").fail("fin de suspension sans début de suspension")
        return None, None
    return start, _end(start, obj, "suspended_until", at)


def _affiliation(
    value: object, at: At, ref: ReferenceData, role: Role, insured: str | None
) -> Affiliation:
    obj = _object(value, at, _AFFILIATION)
    schemes = {scheme.code for scheme in ref.schemes}
    scheme = _required(obj, "scheme", at, lambda v, a: _code(v, a, schemes, "régime"))
    start = _required(obj, "start", at, _date)
    suspended_from, suspended_until = _suspension(obj, at)
    return Affiliation(
        scheme=scheme,
        role=role,
        start=start,
        end=_end(start, obj, "end", at),
        insured_id=insured,
        contributions=_contributions(obj, at),
        first_payment=_optional(obj, "first_payment", at, _date),
        suspended_from=suspended_from,
        suspended_until=suspended_until,
        transferred_from=_optional(
            obj, "transferred_from", at, lambda v, a: _code(v, a, schemes, "régime")
        ),
    )


def _ald(value: object, at: At, ref: ReferenceData) -> AldGrant:
    obj = _object(value, at, _ALD)
    codes = {condition.code for condition in ref.ald}
    condition = _required(obj, "condition", at, lambda v, a: _code(v, a, codes, "code ALD/ALC"))
    start = _required(obj, "start", at, _date)
    return AldGrant(condition=condition, start=start, end=_end(start, obj, "end", at))


def _dependant(value: object, at: At) -> DependantFacts:
    obj = _object(value, at, _DEPENDANT)
    return DependantFacts(
        student_until=_optional(obj, "student_until", at, _date),
        married=_optional(obj, "married", at, _flag) or False,
        disabled=_optional(obj, "disabled", at, _flag) or False,
    )


def _identifiers(
    value: object, at: At, ref: ReferenceData, day: date
) -> tuple[PersonIdentifier, ...]:
    obj = _object(value, at, _IDENTIFIERS)
    found = tuple(
        _identifier(kind, obj[kind.value], at.key(kind.value), ref, day)
        for kind in IdentifierKind
        if obj.get(kind.value) is not None
    )
    if not found:
        at.fail("au moins un identifiant est requis")
    return found


def _identifier(
    kind: IdentifierKind, value: object, at: At, ref: ReferenceData, day: date
) -> PersonIdentifier:
    text = _text(value, at)
    try:
        return normalize_identifier(kind, text, ref, day)
    except InvalidIdentifier:
        at.fail(f"identifiant {kind.value} au format invalide « {mask(text)} »")


def _role(value: object, at: At) -> Role:
    return Role(_code(value, at, {role.value for role in Role}, "rôle"))


def _birth_date(value: object, at: At, today: date) -> date:
    born = _date(value, at)
    if born > today:
        at.fail(f"date de naissance postérieure au {today.isoformat()}")
    return born


def _only_for_dependants(obj: Mapping[str, object], at: At, role: Role) -> None:
    for name in ("insured", "dependant"):
        if role is Role.INSURED and obj.get(name) is not None:
            at.key(name).fail("réservé aux ayants droit (spouse, child)")


def _member(value: object, at: At, ref: ReferenceData, today: date) -> RegistryEntry:
    obj = _object(value, at, _MEMBER)
    member_id = _required(obj, "member_id", at, _text)
    role = _required(obj, "role", at, _role)
    _only_for_dependants(obj, at, role)
    insured = None if role is Role.INSURED else _required(obj, "insured", at, _text)
    identifiers = _required(obj, "identifiers", at, lambda v, a: _identifiers(v, a, ref, today))
    name = PersonName(
        _required(obj, "family_name", at, _text), _required(obj, "given_name", at, _text)
    )
    born = _required(obj, "birth_date", at, lambda v, a: _birth_date(v, a, today))
    sex = _required(obj, "sex", at, lambda v, a: _code(v, a, set(SEXES), "sexe"))
    facts = _optional(obj, "dependant", at, _dependant)
    affiliations = tuple(
        _affiliation(v, a, ref, role, insured) for v, a in _items(obj, "affiliations", at)
    )
    if not affiliations:
        at.key("affiliations").fail("au moins une affiliation est requise")
    grants = tuple(_ald(v, a, ref) for v, a in _items(obj, "ald", at))
    dependant = None if role is Role.INSURED else facts or DependantFacts()
    member = Member(member_id, born, affiliations, ald=grants, dependant=dependant)
    return RegistryEntry(member=member, identifiers=identifiers, name=name, sex=sex)


# The household as a whole.


def _check_unique(entries: list[RegistryEntry], at: At) -> None:
    member_ids: set[str] = set()
    identifiers: set[PersonIdentifier] = set()
    for position, entry in enumerate(entries):
        member_id = entry.member.member_id
        if member_id in member_ids:
            at.item(position).key("member_id").fail(f"member_id en double « {mask(member_id)} »")
        member_ids.add(member_id)
        for identifier in entry.identifiers:
            if identifier in identifiers:
                place = at.item(position).key("identifiers").key(identifier.kind.value)
                place.fail(f"identifiant porté par un autre membre « {mask(identifier.value)} »")
            identifiers.add(identifier)


def _check_dependants(entries: list[RegistryEntry], at: At) -> None:
    schemes_of = {
        entry.member.member_id: {a.scheme for a in entry.member.affiliations}
        for entry in entries
        if entry.member.dependant is None
    }
    for position, entry in enumerate(entries):
        for number, affiliation in enumerate(entry.member.affiliations):
            insured = affiliation.insured_id
            if insured is not None and insured not in schemes_of:
                at.item(position).key("insured").fail(f"assuré « {mask(insured)} » absent du foyer")
            if insured is not None and affiliation.scheme not in schemes_of[insured]:
                place = at.item(position).key("affiliations").item(number).key("scheme")
                place.fail(f"régime « {affiliation.scheme} » absent des affiliations de l'assuré")


def parse_household(
    obj: Mapping[str, object], ref: ReferenceData, *, line: int, today: date
) -> list[RegistryEntry]:
    """Check one household line of a registry file and turn it into registry entries."""
    at = At(line)
    household = _object(obj, at, _HOUSEHOLD)
    _required(household, "household", at, _text)
    payers = {payer.code for payer in ref.payers}
    _required(household, "payer", at, lambda v, a: _code(v, a, payers, "organisme payeur"))
    members = _required(household, "members", at, _list)
    if not members:
        at.key("members").fail("au moins un membre est requis")
    place = at.key("members")
    entries = [_member(value, place.item(i), ref, today) for i, value in enumerate(members)]
    _check_unique(entries, place)
    _check_dependants(entries, place)
    return entries
