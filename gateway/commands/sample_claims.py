"""Costly-drug requests for prise en charge (Claim, use = preauthorization) of the kind the
rules grant at once: a drug of the costly list that the catalog indicates for an ALD/ALC the
patient holds, prescribed by a specialty it allows, within its maximum quantity.

`make demo` writes one for a demo patient; `make bench` posts one per patient of its population
who holds such a condition. Both build them from the reference data the gateway serves with.

Also the pharmacy's bill for ordinary drugs (Claim, use = claim): reimbursable drugs no rule
puts under prise en charge, with the documents the claim type requires, each bill under its own
business identifier (`make bench` posts each once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.reference import ReferenceData
from domain.reference_rows import Drug
from domain.rules.prior_auth import COSTLY_DRUG
from fhir_profiles import systems

GTIN = "https://www.gs1.org/gtin"
PHARMACY = "pharmacy"  # the care category of a drug that is not costly
BUSINESS_ID = "urn:oid:2.16.504.1.1"  # the provider's own numbering of its claims


@dataclass(frozen=True, slots=True)
class CostlyDrugOrder:
    """A costly drug for a condition the patient holds, and a prescriber's specialty it allows."""

    condition: str
    drug: Drug
    specialty: str | None  # None: the catalog allows any prescriber


def order_for(conditions: Iterable[str], ref: ReferenceData, day: date) -> CostlyDrugOrder | None:
    """The first costly, reimbursable drug in force on the day that the catalog lists for one
    of the conditions (taken in their order), with the first specialty it allows."""
    costly = _costly_drugs(ref, day)
    for condition in conditions:
        for drug in costly:
            if condition in (drug.indications or "").split():
                allowed = (drug.specialties or "").split()
                return CostlyDrugOrder(condition, drug, allowed[0] if allowed else None)
    return None


def _costly_drugs(ref: ReferenceData, day: date) -> list[Drug]:
    """The catalog's costly, reimbursable drugs in force on the day, in the catalog's order."""
    codes = dict.fromkeys(drug.ean13 for drug in ref.drugs)
    in_force = (ref.drug(code, day) for code in codes)
    return [drug for drug in in_force if drug is not None and drug.costly and drug.reimbursable]


def claim(
    idcs: str, order: CostlyDrugOrder, *, inpe: str, created: datetime, quantity: int = 1
) -> dict[str, Any]:
    """The Claim asking `quantity` boxes of the order's drug at its public price for the
    patient known by IDCS, sent by the provider with that INPE. It names no date of care: the
    day it is sent is, so that a file written once can be posted on any day."""
    drug = order.drug
    body: dict[str, Any] = {
        "resourceType": "Claim",
        "status": "active",
        "type": {"coding": [{"system": systems.HL7_CLAIM_TYPE, "code": "pharmacy"}]},
        "subType": {"coding": [{"system": systems.CS_PA_TYPE, "code": COSTLY_DRUG}]},
        "use": "preauthorization",
        "patient": {"identifier": {"system": systems.IDCS, "value": idcs}},
        "created": created.isoformat(timespec="seconds"),
        "provider": {"identifier": {"system": systems.INPE, "value": inpe}},
        "priority": {"coding": [{"system": systems.HL7_PROCESS_PRIORITY, "code": "normal"}]},
        **({} if order.specialty is None else {"careTeam": [_prescriber(order.specialty)]}),
        "diagnosis": [
            {
                "sequence": 1,
                "diagnosisCodeableConcept": {
                    "coding": [{"system": systems.CS_ALD, "code": order.condition}]
                },
            }
        ],
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}],
        "item": [
            {
                "sequence": 1,
                "productOrService": {
                    "coding": [{"system": GTIN, "code": drug.ean13}],
                    "text": f"{drug.dci} {drug.strength}",
                },
                "quantity": {"value": quantity},
                # Integer centimes to MAD: a float with two decimals at most, read back exactly.
                "net": {"value": drug.ppv_centimes * quantity / 100, "currency": "MAD"},
            }
        ],
    }
    return body


def _prescriber(specialty: str) -> dict[str, Any]:
    """The care team's prescriber, known by the specialty the rules check."""
    return {
        "sequence": 1,
        "provider": {"display": "Médecin prescripteur"},
        "qualification": {"coding": [{"system": systems.CS_SPECIALTY, "code": specialty}]},
    }


def ordinary_drugs(ref: ReferenceData, day: date, schemes: Iterable[str]) -> list[Drug]:
    """The catalog's reimbursable drugs in force on the day that are not costly and that no
    rule puts under prise en charge for any of the schemes, in the catalog's order."""
    codes = dict.fromkeys(drug.ean13 for drug in ref.drugs)
    in_force = (ref.drug(code, day) for code in codes)
    return [
        drug
        for drug in in_force
        if drug is not None
        and drug.reimbursable
        and not drug.costly
        and not any(ref.prior_auth_rules(s, PHARMACY, drug.ean13, day) for s in schemes)
    ]


def pharmacy_claim(
    idcs: str,
    drugs: Iterable[Drug],
    *,
    claim_id: str,
    inpe: str,
    created: datetime,
    documents: Iterable[str],
) -> dict[str, Any]:
    """The pharmacy's bill (use = claim) for one box of each drug at its public price, for the
    patient known by IDCS, under the business identifier claim_id, with the documents given.
    Like the request above, it names no date of care: the day it is sent is."""
    return {
        "resourceType": "Claim",
        "identifier": [{"system": BUSINESS_ID, "value": claim_id}],
        "status": "active",
        "type": {"coding": [{"system": systems.HL7_CLAIM_TYPE, "code": "pharmacy"}]},
        "use": "claim",
        "patient": {"identifier": {"system": systems.IDCS, "value": idcs}},
        "created": created.isoformat(timespec="seconds"),
        "provider": {"identifier": {"system": systems.INPE, "value": inpe}},
        "priority": {"coding": [{"system": systems.HL7_PROCESS_PRIORITY, "code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}],
        "supportingInfo": [
            {
                "sequence": i,
                "category": {"text": code},
                "code": {"coding": [{"system": systems.CS_CLAIM_DOCUMENT, "code": code}]},
            }
            for i, code in enumerate(documents, 1)
        ],
        "item": [
            {
                "sequence": i,
                "productOrService": {
                    "coding": [{"system": GTIN, "code": drug.ean13}],
                    "text": f"{drug.dci} {drug.strength}",
                },
                "quantity": {"value": 1},
                "net": {"value": drug.ppv_centimes / 100, "currency": "MAD"},
            }
            for i, drug in enumerate(drugs, 1)
        ],
    }
