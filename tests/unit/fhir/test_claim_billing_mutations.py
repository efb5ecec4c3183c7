"""Claims naming a mutuelle and serving a contained prescription, taken apart as a broken or
hostile client would: the reader answers a domain error (a 4xx) or reads them, never anything
else (a 500)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.errors import DomainError
from fhir_profiles import claim_billing_in, systems
from tests.fuzz.mutations import mutated
from tests.unit.fhir.envelopes import collection
from tests.unit.fhir.test_claim_billing import TODAY, claim, ngap_item
from tests.unit.fhir.test_claim_billing_prescriptions import dispensed, medication_request

REF = load_reference_files(DEFAULT_REFDATA_DIR)
MGPAP = {"system": systems.COMPLEMENTARY, "value": "MGPAP"}
AMO = {"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}


def seeds() -> list[Any]:
    """Claims the reader accepts, each way of naming a mutuelle and a prescription."""
    coverage = {
        "resourceType": "Coverage",
        "id": "rc",
        "status": "active",
        "beneficiary": {"reference": "Patient/12"},
        "payor": [{"identifier": MGPAP}],
    }
    number = {"system": "urn:oid:2.16.504.9.1", "value": "MG-1",
              "assigner": {"identifier": MGPAP}}  # fmt: skip
    said = {"url": systems.EXT_PRESCRIBED_QUANTITY, "valuePositiveInt": 1}
    return [
        claim(dispensed(), prescription={"reference": "#rx"},
              contained=[medication_request(1), coverage],
              insurance=[AMO, {"sequence": 2, "focal": False, "coverage": {"reference": "#rc"}}]),
        claim(ngap_item(1), insurance=[AMO, {"sequence": 2, "focal": False,
                                             "coverage": {"identifier": number}}]),
        claim(dispensed(extension=[said])),
        collection(claim(dispensed(), prescription={"reference": "MedicationRequest/rx"}),
                   medication_request(2)),
    ]  # fmt: skip


SEEDS = seeds()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(SEEDS))
def test_a_mutated_claim_is_read_or_refused_with_a_domain_error(raw: bytes) -> None:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return  # refused before any reader (json-invalide)
    if not isinstance(body, dict):
        return
    with contextlib.suppress(DomainError):
        claim_billing_in.to_domain(body, ref=REF, today=TODAY)


def test_the_seeds_are_read() -> None:
    for seed in SEEDS:
        claim_billing_in.to_domain(seed, ref=REF, today=TODAY)
