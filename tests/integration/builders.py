"""Small domain objects for the adapter tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.eligibility import Benefit, EligibilityDecision, EligibilityStatus
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
from domain.records import ExchangeRecord, PersonName, Provider, RegistryEntry

CIN = PersonIdentifier(IdentifierKind.CIN, "BK123456")
IDCS = PersonIdentifier(IdentifierKind.IDCS, "1234567890")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def insured(member_id: str = "M-1", scheme: str = "cnss-salaries") -> Member:
    """An insured member with contributions and an ALD grant."""
    return Member(
        member_id=member_id,
        birth_date=date(1978, 5, 17),
        affiliations=(
            Affiliation(
                scheme=scheme,
                role=Role.INSURED,
                start=date(2015, 1, 1),
                contributions=(ContributionMonth(date(2026, 1, 1), 26),),
                suspended_from=date(2025, 1, 1),
                suspended_until=date(2025, 3, 1),
            ),
        ),
        ald=(AldGrant("diabete-1", date(2020, 1, 1)),),
    )


def child(member_id: str = "C-1", insured_id: str = "M-1") -> Member:
    """A child covered through an insured."""
    return Member(
        member_id=member_id,
        birth_date=date(2010, 9, 1),
        affiliations=(
            Affiliation("cnss-salaries", Role.CHILD, date(2010, 9, 1), insured_id=insured_id),
        ),
        dependant=DependantFacts(student_until=date(2030, 6, 30), married_on=date(2029, 7, 4)),
    )


def entry(member: Member, *identifiers: PersonIdentifier, family: str = "Alaoui") -> RegistryEntry:
    """A registry entry with names."""
    return RegistryEntry(member, identifiers or (CIN,), PersonName(family, "Amina"), "female")


def exchange(
    tenant: str = "P-1",
    *,
    created: datetime = T0,
    identifiers: tuple[PersonIdentifier, ...] = (CIN,),
    patient_ref: str | None = "Patient/12",
    request_id: str | None = None,
) -> ExchangeRecord:
    """An eligibility exchange with recognisable bodies."""
    record_id = uuid.uuid4().hex
    return ExchangeRecord(
        id=record_id,
        kind="eligibility",
        tenant=tenant,
        created=created,
        request_id=request_id or f"req-{record_id}",
        status="open",
        patient_ref=patient_ref,
        patient_identifiers=identifiers,
        request_body=b'{"resourceType":"CoverageEligibilityRequest","name":"Alaoui"}',
        response_body=b'{"resourceType":"CoverageEligibilityResponse","outcome":"complete"}',
    )


def provider(number: int = 1) -> Provider:
    """A pharmacy with its OAuth client."""
    return Provider(
        id=f"P-{number}",
        inpe=f"00000{number}",
        name=f"Pharmacie {number}",
        category="pharmacy",
        payers=("CNSS", "CNOPS"),
        client_id=f"client-{number}",
        jwks='{"keys": []}',
    )


def decision(day: date = date(2026, 3, 2), rules_version: str = "2026.1") -> EligibilityDecision:
    """An open decision with a benefit."""
    return EligibilityDecision(
        status=EligibilityStatus.OPEN,
        date_of_care=day,
        rules_version=rules_version,
        scheme="cnss-salaries",
        payer="CNSS",
        role=Role.INSURED,
        member_id="M-1",
        coverage_start=date(2015, 1, 1),
        reasons=("droits-ouverts",),
        benefits=(Benefit("pharmacy", Decimal("0.70"), "PPV", "standard"),),
    )
