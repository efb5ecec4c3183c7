"""claim_in.to_domain in the four envelopes clients send a prior authorization in: what the
pipeline gets back, and what a message's answer says."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.errors import DomainError
from domain.members import IdentifierKind, PersonIdentifier
from fhir_profiles import claim_out, reply, systems
from fhir_profiles.envelope import InvalidEnvelope
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import IDCS_VALUE, idcs
from tests.unit.fhir.claims import bare_claim, queued, read
from tests.unit.fhir.envelopes import (
    HEADER_ID,
    NPHIES_EVENTS,
    PATIENT_URL,
    collection,
    document,
    message,
    patient,
)

Json = dict[str, Any]
FOUND = (PersonIdentifier(IdentifierKind.IDCS, IDCS_VALUE),)
PATIENT_UUID = "urn:uuid:8a7a4d4e-0c1f-4d55-9a35-6f0a1e2b3c4d"
ROLE_UUID = "urn:uuid:0b7e3c1d-5b7a-4e39-8d6c-2f0e9a1b2c3d"
INSURER_UUID = "urn:uuid:3c2d1e0f-9a8b-4c7d-a6e5-f4d3c2b1a0f9"


def by_reference(reference: str, **changes: Any) -> Json:
    """A Claim whose patient is only a reference into the envelope, prescribed by nobody."""
    return bare_claim(**{"patient": {"reference": reference}, "careTeam": None, **changes})


def pas_bundle() -> Json:
    """A Da Vinci PAS-style collection: urn:uuid entries, the prescriber's PractitionerRole
    and the insurer Organization beside the Claim."""
    claim = by_reference(
        PATIENT_UUID,
        insurer={"reference": INSURER_UUID},
        careTeam=[{"sequence": 1, "provider": {"reference": ROLE_UUID}}],
    )
    role = {
        "resourceType": "PractitionerRole",
        "specialty": [{"coding": [{"system": systems.CS_SPECIALTY, "code": "oncologie"}]}],
    }
    insurer = {
        "resourceType": "Organization",
        "identifier": [{"system": systems.PAYER_ID, "value": "CNOPS"}],
        "name": "CNOPS",
    }
    body = collection(claim)
    body["entry"] += [
        {"fullUrl": PATIENT_UUID, "resource": patient(idcs())},
        {"fullUrl": ROLE_UUID, "resource": role},
        {"fullUrl": INSURER_UUID, "resource": insurer},
    ]
    return body


def nphies_message() -> Json:
    """An NPHIES-style message: MessageHeader (priorauth-request) first, full URLs."""
    body = message(
        by_reference(PATIENT_URL),
        eventCoding={"system": NPHIES_EVENTS, "code": "priorauth-request"},
    )
    body["entry"].append({"fullUrl": PATIENT_URL, "resource": patient(idcs())})
    return body


class TestEnvelopes:
    def test_a_bare_claim_has_no_message(self) -> None:
        parsed = read(bare_claim())
        assert (parsed.envelope, parsed.message) == ("resource", None)

    def test_a_pas_collection_resolves_patient_prescriber_and_insurer(self) -> None:
        parsed = read(pas_bundle())
        assert (parsed.envelope, parsed.command.identifiers) == ("collection", FOUND)
        assert parsed.command.request.prescriber_specialty == "oncologie"
        assert parsed.patient == {"type": "Patient", "identifier": idcs()}
        assert parsed.insurer == {
            "type": "Organization",
            "identifier": {"system": systems.PAYER_ID, "value": "CNOPS"},
            "display": "CNOPS",
        }

    def test_an_hcx_document_resolves_type_and_id_references(self) -> None:
        parsed = read(document(by_reference("Patient/77"), patient(idcs())))
        assert (parsed.envelope, parsed.command.identifiers) == ("document", FOUND)
        assert parsed.patient == {"reference": "Patient/77"}

    def test_a_message_keeps_its_header_facts(self) -> None:
        parsed = read(nphies_message())
        assert (parsed.envelope, parsed.command.identifiers) == ("message", FOUND)
        assert parsed.message is not None and parsed.message.header_id == HEADER_ID

    def test_a_message_is_answered_with_the_priorauth_response_event(self) -> None:
        parsed = read(nphies_message())
        assert parsed.message is not None
        stored = claim_out.request_resource(parsed, "claim-1", "123456789")
        response = claim_out.from_domain(
            stored, queued(parsed), created=datetime(2026, 3, 2, tzinfo=UTC)
        )
        answer = reply.answer(
            response, parsed.message, message_id="0195f1c2-7a3b-7c00-8000-00000000a002",
            timestamp=datetime(2026, 3, 2, 8, 30, tzinfo=UTC), base_url="https://amo.example.ma/fhir",
        )  # fmt: skip
        assert_valid_r4(answer)
        header = answer["entry"][0]["resource"]
        assert header["eventCoding"]["code"] == "priorauth-response"
        assert header["response"] == {"identifier": HEADER_ID, "code": "ok"}
        assert answer["entry"][1]["resource"]["resourceType"] == "ClaimResponse"

    def test_the_envelopes_are_valid_r4(self) -> None:
        for body in (
            pas_bundle(),
            nphies_message(),
            document(by_reference("Patient/77"), patient(idcs())),
        ):
            assert_valid_r4(body)

    def test_two_claims_in_a_collection_are_ambiguous(self) -> None:
        body = collection(bare_claim())
        body["entry"].append({"fullUrl": "urn:uuid:1", "resource": bare_claim()})
        with pytest.raises(InvalidEnvelope) as caught:
            read(body)
        assert caught.value.expression == "Bundle.entry"

    def test_a_message_focused_on_another_type_is_refused(self) -> None:
        body = nphies_message()
        body["entry"][0]["resource"]["focus"] = [{"reference": PATIENT_URL}]
        with pytest.raises(DomainError) as caught:
            read(body)
        assert caught.value.code == "enveloppe-invalide"
        assert caught.value.expression == "Bundle.entry[0].resource.focus"

    def test_an_unresolved_patient_reference_without_identifier_is_refused(self) -> None:
        with pytest.raises(DomainError) as caught:
            read(collection(by_reference(PATIENT_UUID)))
        assert (caught.value.code, caught.value.expression) == (
            "identifiant-invalide",
            "Claim.patient",
        )
