"""eligibility_in.to_domain on every envelope: what the pipeline gets back."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import DomainError
from domain.members import IdentifierKind, PersonIdentifier
from fhir_profiles import eligibility_in
from fhir_profiles.eligibility_in import EligibilityRequestIn
from fhir_profiles.envelope import InvalidEnvelope
from tests.unit.fhir.builders import IDCS_VALUE, TODAY, bare_request, idcs, reference_data
from tests.unit.fhir.envelopes import (
    HEADER_ID,
    PATIENT_URL,
    collection,
    document,
    message,
    patient,
)

REF = reference_data()
FOUND = (PersonIdentifier(IdentifierKind.IDCS, IDCS_VALUE),)


def parse(body: Any) -> EligibilityRequestIn:
    return eligibility_in.to_domain(body, ref=REF, today=TODAY)


def by_reference(reference: str) -> dict[str, Any]:
    """A request whose patient is only a reference into the envelope."""
    return bare_request(patient={"reference": reference})


class TestEnvelopes:
    def test_a_bare_request_has_no_message(self) -> None:
        parsed = parse(bare_request())
        assert (parsed.envelope, parsed.message) == ("resource", None)

    def test_a_collection_resolves_the_patient_entry(self) -> None:
        parsed = parse(collection(by_reference("Patient/77"), patient(idcs())))
        assert (parsed.envelope, parsed.command.identifiers) == ("collection", FOUND)

    def test_a_document_resolves_the_patient_entry(self) -> None:
        parsed = parse(document(by_reference("Patient/77"), patient(idcs())))
        assert (parsed.envelope, parsed.command.identifiers) == ("document", FOUND)
        assert parsed.message is None

    def test_a_message_keeps_its_header_facts(self) -> None:
        body = message(by_reference(PATIENT_URL))
        body["entry"].append({"fullUrl": PATIENT_URL, "resource": patient(idcs())})
        parsed = parse(body)
        assert (parsed.envelope, parsed.command.identifiers) == ("message", FOUND)
        assert parsed.message is not None and parsed.message.header_id == HEADER_ID
        assert parsed.patient == {"reference": PATIENT_URL}

    def test_a_malformed_message_stays_an_envelope_error(self) -> None:
        with pytest.raises(DomainError) as caught:
            parse(message(bare_request(), focus=[{"reference": "Patient/none"}]))
        assert isinstance(caught.value, InvalidEnvelope)
        assert caught.value.code == "enveloppe-invalide"
