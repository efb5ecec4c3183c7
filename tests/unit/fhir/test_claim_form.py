"""PriorAuthForm as the exchange pipeline drives it, and the ClaimResponse built again later."""

from __future__ import annotations

import base64
from datetime import timedelta

import orjson
import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.authorization_ports import AnswerRenderer
from domain.errors import InvalidRequest, MalformedRequest, TooLarge
from domain.members import IdentifierKind, PersonIdentifier
from domain.services.exchanges import Form
from domain.services.prior_auth import PaOutcome, RequestPriorAuth
from fhir_profiles.claim_billing_form import ClaimForm
from fhir_profiles.claim_form import PriorAuthForm, rerender
from fhir_profiles.limits import MAX_ATTACHMENTS
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import IDCS_VALUE
from tests.unit.fhir.claims import (
    NOW,
    STAMP,
    TODAY,
    bare_claim,
    claim_reference_data,
    drug_item,
    granted_whole,
    outcome,
    queued,
)

INPE = "123456789"


def form() -> PriorAuthForm:
    return PriorAuthForm(bare_claim(), ref=claim_reference_data(), requestor_inpe=INPE)


def read_form() -> PriorAuthForm:
    found = form()
    found.read(TODAY)
    return found


class TestPriorAuthForm:
    def test_is_a_pipeline_form(self) -> None:
        typed: Form[RequestPriorAuth, PaOutcome] = form()
        assert isinstance(typed.read(TODAY), RequestPriorAuth)

    def test_parsed_before_read_is_an_error(self) -> None:
        with pytest.raises(RuntimeError):
            _ = form().parsed

    def test_identifiers_are_the_command_s(self) -> None:
        assert read_form().identifiers() == (PersonIdentifier(IdentifierKind.IDCS, IDCS_VALUE),)

    def test_render_stores_the_claim_under_the_request_id(self) -> None:
        found = read_form()
        rendered = found.render(outcome(queued(found.parsed)), STAMP)
        stored = orjson.loads(rendered.request_body)
        assert stored["id"] == STAMP.request_id and stored["resourceType"] == "Claim"
        assert stored["provider"]["identifier"]["value"] == INPE
        assert rendered.patient_ref == "Patient/12"

    def test_render_answers_under_the_stamp(self) -> None:
        found = read_form()
        pa = queued(found.parsed, id="draft", requested_at=NOW - timedelta(days=1))
        response = orjson.loads(found.render(outcome(pa), STAMP).response_body)
        assert_valid_r4(response)
        assert response["id"] == response["preAuthRef"] == STAMP.response_id
        assert response["created"] == "2026-03-02T08:30:00+00:00"
        assert response["request"] == {"reference": f"Claim/{STAMP.request_id}"}


class TestRerender:
    def test_is_the_use_case_s_answer_renderer(self) -> None:
        found = read_form()
        result = outcome(queued(found.parsed))
        rendered = found.render(result, STAMP)
        renderer: AnswerRenderer = rerender
        assert renderer(rendered.request_body, result.stamped(STAMP), STAMP.created) == (
            rendered.response_body
        )

    def test_the_same_authorization_gives_the_same_answer(self) -> None:
        found = read_form()
        result = outcome(queued(found.parsed))
        rendered = found.render(result, STAMP)
        again = rerender(rendered.request_body, result.stamped(STAMP), at=STAMP.created)
        assert again == rendered.response_body

    def test_a_later_decision_is_answered_from_the_stored_claim(self) -> None:
        found = read_form()
        result = outcome(queued(found.parsed))
        rendered = found.render(result, STAMP)
        decided = granted_whole(result.stamped(STAMP))
        later = NOW + timedelta(hours=5)
        response = orjson.loads(rerender(rendered.request_body, decided, at=later))
        assert_valid_r4(response)
        assert (response["outcome"], response["id"]) == ("complete", STAMP.response_id)
        assert response["created"] == "2026-03-02T13:30:00+00:00"
        assert response["preAuthPeriod"]["end"] == "2026-03-31"
        assert response["requestor"]["identifier"]["value"] == INPE


PDF = b"%PDF-1.7\n" + b"0" * 100


def joined(*documents: bytes, content_type: str = "application/pdf") -> PriorAuthForm:
    """A request joining those documents for the reviewer (supportingInfo attachments)."""
    claim = bare_claim()
    claim["supportingInfo"] = [
        {"sequence": i, "category": {"text": "ordonnance"},
         "valueAttachment": {"contentType": content_type, "title": f"scan-{i}.pdf",
                             "data": base64.b64encode(document).decode()}}
        for i, document in enumerate(documents, 1)
    ]  # fmt: skip
    return PriorAuthForm(claim, ref=claim_reference_data(), requestor_inpe=INPE,
                         max_attachment_bytes=len(PDF))  # fmt: skip


class TestDocumentsJoined:
    def test_documents_within_their_limit_are_kept_as_they_came(self) -> None:
        found = joined(PDF, PDF)
        found.read(TODAY)
        stored = orjson.loads(found.render(outcome(queued(found.parsed)), STAMP).request_body)
        sent = [i["valueAttachment"]["data"] for i in stored["supportingInfo"]]
        assert sent == [base64.b64encode(PDF).decode()] * 2

    def test_a_document_one_byte_over_its_limit_is_too_large(self) -> None:
        with pytest.raises(TooLarge) as refused:
            joined(PDF, PDF + b"0").read(TODAY)
        assert refused.value.code == "piece-jointe-trop-lourde"
        assert refused.value.expression == "Claim.supportingInfo[1].valueAttachment.data"

    def test_a_file_that_is_not_what_it_says_is_refused(self) -> None:
        with pytest.raises(InvalidRequest) as refused:
            joined(b"GIF89a" + b"0" * 10).read(TODAY)
        assert refused.value.code == "piece-jointe-non-conforme"

    def test_five_documents_go_and_six_are_too_many(self) -> None:
        joined(*[PDF] * MAX_ATTACHMENTS).read(TODAY)
        with pytest.raises(TooLarge) as refused:
            joined(*[PDF] * (MAX_ATTACHMENTS + 1)).read(TODAY)
        assert refused.value.code == "pieces-jointes-trop-nombreuses"

    def test_the_billing_form_checks_its_documents_the_same_way(self) -> None:
        claim = bare_claim(use="claim", item=[drug_item()])
        claim["identifier"] = [{"system": "urn:oid:2.16.504.1.1", "value": "FACT-2026-0001"}]
        linked = {"contentType": "application/pdf", "url": "https://example.org/scan.pdf"}
        claim["supportingInfo"] = [
            {"sequence": 1, "category": {"text": "ordonnance"}, "valueAttachment": linked}
        ]
        ref = load_reference_files(DEFAULT_REFDATA_DIR)
        billing = ClaimForm(claim, ref=ref, requestor_inpe=INPE)
        with pytest.raises(MalformedRequest, match="lien"):
            billing.read(TODAY)
