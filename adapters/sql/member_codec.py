"""JSON shapes of a member's stored facts and of its encrypted personal data."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

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
from domain.records import RegistryEntry

_KIND = {kind: kind.value for kind in IdentifierKind}  # an Enum's .value costs, per member


def encode_facts(member: Member) -> str:
    """Everything eligibility needs of a member but its id and version, as JSON text.

    The text orjson gives of the dataclasses themselves, field by field in their order, but
    written from plain dicts: orjson reads a slotted dataclass ten times slower than a dict,
    and a registry import encodes millions of members.
    """
    dependant = member.dependant
    facts = {
        "birth_date": member.birth_date,
        "affiliations": [_affiliation_facts(a) for a in member.affiliations],
        "ald": [{"condition": g.condition, "start": g.start, "end": g.end} for g in member.ald],
        "dependant": None
        if dependant is None
        else {
            "student_until": dependant.student_until,
            "married": dependant.married,
            "disabled": dependant.disabled,
            "married_on": dependant.married_on,
        },
    }
    return orjson.dumps(facts).decode()


def _affiliation_facts(a: Affiliation) -> dict[str, Any]:
    return {
        "scheme": a.scheme,
        "role": a.role,
        "start": a.start,
        "end": a.end,
        "insured_id": a.insured_id,
        "contributions": [
            {"month": c.month, "working_days": c.working_days} for c in a.contributions
        ],
        "first_payment": a.first_payment,
        "suspended_from": a.suspended_from,
        "suspended_until": a.suspended_until,
        "transferred_from": a.transferred_from,
    }


def decode_member(member_id: str, version: int, facts: str) -> Member:
    """Rebuild a domain Member from its stored row."""
    data = orjson.loads(facts)
    dependant = data["dependant"]
    return Member(
        member_id=member_id,
        birth_date=date.fromisoformat(data["birth_date"]),
        affiliations=tuple(_affiliation(item) for item in data["affiliations"]),
        ald=tuple(_ald(item) for item in data["ald"]),
        dependant=None if dependant is None else _dependant(dependant),
        version=version,
    )


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _affiliation(data: dict[str, Any]) -> Affiliation:
    return Affiliation(
        scheme=data["scheme"],
        role=Role(data["role"]),
        start=date.fromisoformat(data["start"]),
        end=_day(data["end"]),
        insured_id=data["insured_id"],
        contributions=tuple(
            ContributionMonth(date.fromisoformat(c["month"]), c["working_days"])
            for c in data["contributions"]
        ),
        first_payment=_day(data["first_payment"]),
        suspended_from=_day(data["suspended_from"]),
        suspended_until=_day(data["suspended_until"]),
        transferred_from=data["transferred_from"],
    )


def _ald(data: dict[str, Any]) -> AldGrant:
    return AldGrant(data["condition"], date.fromisoformat(data["start"]), _day(data["end"]))


def _dependant(data: dict[str, Any]) -> DependantFacts:
    return DependantFacts(
        _day(data["student_until"]),
        data["married"],
        data["disabled"],
        _day(data.get("married_on")),  # absent from facts stored before it existed
    )


def encode_person(entry: RegistryEntry) -> bytes:
    """The personal data of a registry entry, as JSON bytes to encrypt."""
    return orjson.dumps(
        {
            "family": entry.name.family,
            "given": entry.name.given,
            "sex": entry.sex,
            "identifiers": [[_KIND[i.kind], i.value] for i in entry.identifiers],
        }
    )


def decode_identifiers(person: bytes) -> tuple[PersonIdentifier, ...]:
    """The identifiers held in decrypted personal data."""
    pairs = orjson.loads(person)["identifiers"]
    return tuple(PersonIdentifier(IdentifierKind(kind), value) for kind, value in pairs)
