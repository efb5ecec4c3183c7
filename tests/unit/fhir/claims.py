"""Reference data, Claims and prises en charge for the prior authorization mapping tests."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.eligibility import EligibilityStatus
from domain.money import Money
from domain.prior_auth import PaLine, PriorAuthorization, grant, refuse
from domain.reference import ReferenceData
from domain.reference_rows import Drug, PaType, Provenance, Validity
from domain.services.exchanges import Stamp
from domain.services.prior_auth import PaOutcome
from fhir_profiles import claim_in, systems
from tests.unit.fhir.builders import idcs, reference_data

Json = dict[str, Any]
TODAY = date(2026, 3, 2)
GTIN = "https://www.gs1.org/gtin"
TRASTUZUMAB = "6111000000014"  # costly, for oncology prescribers
LISTED_NOT_COSTLY = "6118000041214"
NOT_LISTED = "6118000041238"  # a valid EAN-13 the catalog does not hold
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
STAMP = Stamp(response_id="pa-1", request_id="claim-1", created=NOW)
_SINCE = Validity(date(2005, 9, 1))
_SOURCE = Provenance("tests")


def claim_reference_data() -> ReferenceData:
    """The mapping tests' reference data, with a drug catalog and the kinds of prise en charge."""
    drugs = (
        _drug(TRASTUZUMAB, "Trastuzumab", costly=True, specialties="oncologie"),
        _drug(LISTED_NOT_COSTLY, "Amoxicilline", costly=False, specialties=None),
    )
    kinds = tuple(
        PaType(code, label, "Ordonnance", 48, 30, regularise, _SINCE, _SOURCE)
        for code, label, regularise in (
            ("costly-drug", "Médicament coûteux", 0),
            ("hospitalisation", "Hospitalisation", 48),
            ("device", "Dispositifs", 0),
            ("dental-prosthesis", "Prothèse dentaire", 0),
            ("multi-session", "Soins en séries", 0),
        )
    )
    return replace(reference_data(), drugs=drugs, pa_types=kinds)


def _drug(ean13: str, dci: str, *, costly: bool, specialties: str | None) -> Drug:
    return Drug(
        ean13, dci, "comprimé", "1 boîte", dci.upper(), 1520000, None, True, costly,
        "ALD12" if costly else None, 6, 30, specialties, _SINCE, _SOURCE,
    )  # fmt: skip


def drug_item(sequence: int = 1, code: str = TRASTUZUMAB, **changes: Any) -> Json:
    """An item asking for boxes of a drug known by its GTIN."""
    item: Json = {
        "sequence": sequence,
        "productOrService": {"coding": [{"system": GTIN, "code": code}]},
        "servicedDate": "2026-03-02",
        "quantity": {"value": 2},
        "net": {"value": 30400.00, "currency": "MAD"},
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


def foreign_item(sequence: int, system: str = "http://www.ama-assn.org/go/cpt") -> Json:
    """An item coded in a system the payer does not read."""
    return {
        "sequence": sequence,
        "productOrService": {"coding": [{"system": system, "code": "99213"}]},
        "net": {"value": 135.5, "currency": "USD"},
    }


def bare_claim(**changes: Any) -> Json:
    """A minimal valid costly-drug request about a patient known by IDCS (None removes)."""
    body: Json = {
        "resourceType": "Claim",
        "identifier": [{"system": "urn:oid:2.16.504.1.1", "value": "PEC-2026-0001"}],
        "status": "active",
        "type": {"coding": [{"system": systems.HL7_CLAIM_TYPE, "code": "pharmacy"}]},
        "use": "preauthorization",
        "patient": {"reference": "Patient/12", "identifier": idcs()},
        "created": "2026-03-02T09:15:00+01:00",
        "insurer": {"identifier": {"system": systems.PAYER_ID, "value": "CNSS"}},
        "provider": {"reference": "Organization/pharmacie-1"},
        "priority": {"coding": [{"system": systems.HL7_PROCESS_PRIORITY, "code": "normal"}]},
        "careTeam": [
            {
                "sequence": 1,
                "provider": {"reference": "Practitioner/dr-1"},
                "qualification": {
                    "coding": [{"system": systems.CS_SPECIALTY, "code": "oncologie"}]
                },
            }
        ],
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}],
        "item": [drug_item()],
    }
    body.update(changes)
    return copy.deepcopy({k: v for k, v in body.items() if v is not None})


def read(body: Json, ref: ReferenceData | None = None) -> claim_in.ClaimRequestIn:
    """The request as the mapping reads it, today."""
    return claim_in.to_domain(body, ref=ref or claim_reference_data(), today=TODAY)


def queued(parsed: claim_in.ClaimRequestIn, *reasons: str, **changes: Any) -> PriorAuthorization:
    """The prise en charge a request leaves while it waits for a reviewer."""
    request = parsed.command.request
    fields: dict[str, Any] = {
        "id": "pa-0",
        "tenant": "provider-1",
        "payer": "CNSS",
        "pa_type": request.pa_type,
        "lines": request.lines,
        "requested_at": NOW,
        "deadline": NOW + timedelta(hours=48),
        "reasons": reasons or ("examen-medical",),
        "date_of_care": request.date_of_care,
        "foreign": parsed.command.foreign,
    }
    fields.update(changes)
    return PriorAuthorization(**fields)


def granted_whole(pa: PriorAuthorization, **options: Any) -> PriorAuthorization:
    """Every line granted as asked, for 30 days from the date of care."""
    start = pa.date_of_care or TODAY
    return grant(
        pa,
        {line.sequence: (line.quantity, line.amount) for line in pa.lines},
        valid_from=start,
        valid_until=start + timedelta(days=29),
        at=NOW,
        **options,
    )


def refused(pa: PriorAuthorization, reason: str = "droits-non-ouverts") -> PriorAuthorization:
    """The prise en charge refused."""
    return refuse(pa, reason, at=NOW)


def outcome(pa: PriorAuthorization) -> PaOutcome:
    """The use case's outcome for a prise en charge."""
    return PaOutcome(pa, EligibilityStatus.OPEN)


def line(sequence: int = 1, quantity: int = 2, centimes: int = 3040000) -> PaLine:
    """A costly-drug line."""
    return PaLine(sequence, TRASTUZUMAB, "costly-drug", quantity, Money(centimes))
