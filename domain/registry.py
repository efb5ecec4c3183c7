"""Payer registry households: what a file declares, and the rules it must pass to be stored.

A registry file (`docs/registry-format.md`) is read by the adapters into `DeclaredHousehold`s:
typed values, nothing checked beyond their shape. `check_household` applies the rules (known
codes, coherent dates, unique identifiers, dependants through an insured of the household) and
turns the household into registry entries. Every problem raises `InvalidRequest` naming the
line, the path of the field in the file and what is wrong, in French for the operator.
Messages never carry a name, and identifiers only masked: registry files are patient data.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, NoReturn

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
ROLES = frozenset(role.value for role in Role)
MAX_MONTH_DAYS = 31


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


# What a file declares; field names are those of the file, so that a message can point at one.


@dataclass(frozen=True, slots=True)
class DeclaredAffiliation:
    """An affiliation as declared: its member's role and insured are the member's."""

    scheme: str
    start: date
    end: date | None = None
    contributions: tuple[ContributionMonth, ...] = ()
    first_payment: date | None = None
    suspended_from: date | None = None
    suspended_until: date | None = None
    transferred_from: str | None = None


@dataclass(frozen=True, slots=True)
class DeclaredMember:
    """A member as declared, identifiers as written (not yet normalised)."""

    member_id: str
    role: str
    identifiers: tuple[tuple[IdentifierKind, str], ...]
    name: PersonName
    birth_date: date
    sex: str
    affiliations: tuple[DeclaredAffiliation, ...] = ()
    ald: tuple[AldGrant, ...] = ()
    insured: str | None = None
    dependant: DependantFacts | None = None


@dataclass(frozen=True, slots=True)
class DeclaredHousehold:
    """One household line of a registry file."""

    household: str
    payer: str
    members: tuple[DeclaredMember, ...]


def check_household(
    declared: DeclaredHousehold, ref: ReferenceData, *, line: int, today: date
) -> list[RegistryEntry]:
    """Check one declared household against the rules and turn it into registry entries."""
    at = At(line)
    codes = _Codes.of(ref)
    _known(declared.payer, codes.payers, "organisme payeur", at.key("payer"))
    if not declared.members:
        at.key("members").fail("au moins un membre est requis")
    place = at.key("members")
    entries = [
        _member(member, place.item(i), codes, ref, today)
        for i, member in enumerate(declared.members)
    ]
    _check_unique(entries, place)
    _check_dependants(entries, place)
    return entries


class _Codes(NamedTuple):
    """The codes of the reference data a household may name."""

    payers: frozenset[str]
    schemes: frozenset[str]
    conditions: frozenset[str]

    @classmethod
    def of(cls, ref: ReferenceData) -> _Codes:
        """The codes of a dataset, whatever their period: the rules date them later."""
        return cls(
            frozenset(payer.code for payer in ref.payers),
            frozenset(scheme.code for scheme in ref.schemes),
            frozenset(condition.code for condition in ref.ald),
        )


def _known(code: str, known: Collection[str], what: str, at: At) -> str:
    if code not in known:
        at.fail(f"{what} inconnu « {code[:30]} »")
    return code


def _ends_after(start: date, end: date | None, at: At) -> None:
    if end is not None and end < start:
        at.fail(f"fin {end.isoformat()} antérieure au début {start.isoformat()}")


def _member(
    declared: DeclaredMember, at: At, codes: _Codes, ref: ReferenceData, today: date
) -> RegistryEntry:
    role = Role(_known(declared.role, ROLES, "rôle", at.key("role")))
    insured = _insured(declared, role, at)
    identifiers = _identifiers(declared.identifiers, at.key("identifiers"), ref, today)
    if declared.birth_date > today:
        at.key("birth_date").fail(f"date de naissance postérieure au {today.isoformat()}")
    _known(declared.sex, SEXES, "sexe", at.key("sex"))
    affiliations = tuple(
        _affiliation(a, at.key("affiliations").item(i), codes.schemes, role, insured)
        for i, a in enumerate(declared.affiliations)
    )
    if not affiliations:
        at.key("affiliations").fail("au moins une affiliation est requise")
    for i, grant in enumerate(declared.ald):
        _ald(grant, at.key("ald").item(i), codes.conditions)
    dependant = None if role is Role.INSURED else declared.dependant or DependantFacts()
    member = Member(
        declared.member_id, declared.birth_date, affiliations, ald=declared.ald, dependant=dependant
    )
    return RegistryEntry(member, identifiers, declared.name, declared.sex)


def _insured(declared: DeclaredMember, role: Role, at: At) -> str | None:
    """The insured a dependant goes through; an insured names none and has no dependant facts."""
    if role is not Role.INSURED:
        if declared.insured is None:
            at.key("insured").fail("champ obligatoire absent")
        return declared.insured
    for name, value in (("insured", declared.insured), ("dependant", declared.dependant)):
        if value is not None:
            at.key(name).fail("réservé aux ayants droit (spouse, child)")
    return None


def _identifiers(
    declared: tuple[tuple[IdentifierKind, str], ...], at: At, ref: ReferenceData, day: date
) -> tuple[PersonIdentifier, ...]:
    if not declared:
        at.fail("au moins un identifiant est requis")
    return tuple(_identifier(kind, text, at.key(kind.value), ref, day) for kind, text in declared)


def _identifier(
    kind: IdentifierKind, text: str, at: At, ref: ReferenceData, day: date
) -> PersonIdentifier:
    try:
        return normalize_identifier(kind, text, ref, day)
    except InvalidIdentifier:
        at.fail(f"identifiant {kind.value} au format invalide « {mask(text)} »")


def _affiliation(
    declared: DeclaredAffiliation,
    at: At,
    schemes: frozenset[str],
    role: Role,
    insured: str | None,
) -> Affiliation:
    _known(declared.scheme, schemes, "régime", at.key("scheme"))
    if declared.suspended_from is None and declared.suspended_until is not None:
        at.key("suspended_until").fail("fin de suspension sans début de suspension")
    if declared.suspended_from is not None:
        _ends_after(declared.suspended_from, declared.suspended_until, at.key("suspended_until"))
    _ends_after(declared.start, declared.end, at.key("end"))
    _check_contributions(declared.contributions, at.key("contributions"))
    if declared.transferred_from is not None:
        _known(declared.transferred_from, schemes, "régime", at.key("transferred_from"))
    return Affiliation(
        scheme=declared.scheme,
        role=role,
        start=declared.start,
        end=declared.end,
        insured_id=insured,
        contributions=declared.contributions,
        first_payment=declared.first_payment,
        suspended_from=declared.suspended_from,
        suspended_until=declared.suspended_until,
        transferred_from=declared.transferred_from,
    )


def _check_contributions(months: tuple[ContributionMonth, ...], at: At) -> None:
    seen: set[date] = set()
    for i, month in enumerate(months):
        if not 0 <= month.working_days <= MAX_MONTH_DAYS:
            problem = f"nombre de jours hors de 0..{MAX_MONTH_DAYS} : {month.working_days}"
            at.item(i).key("days").fail(problem)
        if month.month in seen:
            at.item(i).key("month").fail(f"mois en double « {month.month.strftime('%Y-%m')} »")
        seen.add(month.month)


def _ald(grant: AldGrant, at: At, conditions: frozenset[str]) -> None:
    _known(grant.condition, conditions, "code ALD/ALC", at.key("condition"))
    _ends_after(grant.start, grant.end, at.key("end"))


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
