"""Reference data and FHIR requests for the mapping tests."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.eligibility import (
    Benefit,
    EligibilityDecision,
    EligibilityOutcome,
    EligibilityStatus,
    ItemDecision,
    RequestedItem,
)
from domain.members import Role
from domain.reference import ReferenceData
from domain.reference_rows import (
    AldCondition,
    CareCategory,
    IdentifierFormat,
    Payer,
    Provenance,
    Scheme,
    Validity,
)
from fhir_profiles import systems

FIXTURES = Path(__file__).parents[2] / "fixtures"
TODAY = date(2026, 3, 2)
IDCS_VALUE = "1234567890"
_SINCE = Validity(date(2005, 9, 1))
_SOURCE = Provenance("tests")


def reference_data(*, labelled_categories: bool = True) -> ReferenceData:
    """A small reference dataset: two schemes, two payers, four categories, two ALD."""
    codes = ("consultation", "pharmacy", "hospitalisation", "laboratory")
    cats = tuple(CareCategory(c, f"Libellé {c}", _SINCE, _SOURCE) for c in codes)
    return ReferenceData(
        version="test-1",
        schemes=(
            Scheme("AMO_SALARIES", "AMO des salariés", _SINCE, _SOURCE),
            Scheme("AMO_PUBLIC", "AMO du secteur public", _SINCE, _SOURCE),
        ),
        payers=(
            Payer("CNSS", "Caisse nationale de sécurité sociale", _SINCE, _SOURCE),
            Payer(
                "CNOPS", "Caisse nationale des organismes de prévoyance sociale", _SINCE, _SOURCE
            ),
        ),
        ald=(
            AldCondition("ALD12", "Diabète", "ALD", _SINCE, _SOURCE),
            AldCondition("ALC01", "Insuffisance rénale chronique", "ALC", _SINCE, _SOURCE),
        ),
        identifier_formats=(
            IdentifierFormat("idcs", "[0-9]{10}", _SINCE, _SOURCE, "IDCS", "10 chiffres"),
            IdentifierFormat("cnss", "[0-9]{9}", _SINCE, _SOURCE, "CNSS", "9 chiffres"),
            IdentifierFormat("cnops", "[0-9]{6,12}", _SINCE, _SOURCE, "CNOPS", "6 à 12 chiffres"),
            IdentifierFormat("cin", "[A-Z]{1,2}[0-9]{1,6}", _SINCE, _SOURCE, "CIN", "lettres"),
        ),
        categories=codes,
        care_categories=cats if labelled_categories else (),
    )


def idcs(value: str = IDCS_VALUE) -> dict[str, Any]:
    """An IDCS Identifier."""
    return {"system": systems.IDCS, "value": value}


def category(code: str) -> dict[str, Any]:
    """A CodeableConcept of our care-category system."""
    return {"coding": [{"system": systems.CS_CARE_CATEGORY, "code": code}]}


def bare_request(**changes: Any) -> dict[str, Any]:
    """A minimal valid bare request about a patient known by IDCS (None removes an element)."""
    body: dict[str, Any] = {
        "resourceType": "CoverageEligibilityRequest",
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:5f0c0e4e-1"}],
        "status": "active",
        "purpose": ["validation", "benefits"],
        "patient": {"reference": "Patient/12", "identifier": idcs()},
        "servicedDate": "2026-02-27",
        "created": "2026-03-02T09:15:00+01:00",
        "insurer": {"identifier": {"system": systems.PAYER_ID, "value": "CNSS"}},
        "item": [
            {"category": category("consultation")},
            {
                "category": category("pharmacy"),
                "productOrService": {
                    "coding": [{"system": "https://www.gs1.org/gtin", "code": "6118000041234"}]
                },
            },
        ],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def fixture(name: str) -> dict[str, Any]:
    """A JSON fixture under tests/fixtures."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def decision(
    status: EligibilityStatus = EligibilityStatus.OPEN, **changes: Any
) -> EligibilityDecision:
    """A decision with a scheme, a payer and two category benefits."""
    fields: dict[str, Any] = {
        "status": status,
        "date_of_care": date(2026, 2, 27),
        "rules_version": "test-1",
        "scheme": "AMO_SALARIES",
        "payer": "CNSS",
        "role": Role.INSURED,
        "member_id": "M1",
        "coverage_start": date(2019, 1, 1),
        "reasons": ("droits-ouverts",),
        "benefits": (
            Benefit("consultation", Decimal("0.80"), "TNR", "standard"),
            Benefit("pharmacy", Decimal("0.70"), "PPV", "standard", ald_exempt=True),
        ),
    }
    fields.update(changes)
    return EligibilityDecision(**fields)


def outcome_for(items: tuple[RequestedItem, ...], **changes: Any) -> EligibilityOutcome:
    """An outcome covering every requested item, the drug needing a prior authorization."""
    answers = tuple(
        ItemDecision(
            item=i,
            covered=True,
            rate=Decimal("0.80"),
            base="TNR",
            ald_exempt=False,
            needs_prior_authorization=i.code is not None,
            reasons=("accord-prealable-requis",) if i.code else (),
        )
        for i in items
    )
    return EligibilityOutcome(decision=decision(**changes), items=answers)
