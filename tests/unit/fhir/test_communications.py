"""Requests for information and answers in FHIR: what a reviewer's question reads as, what a
provider's answer must be to be kept, and how each refusal is told."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError, InvalidRequest, MalformedRequest, TooLarge
from domain.money import Money
from domain.prior_auth import PaLine, PaStatus, PriorAuthorization
from domain.reasons import INFORMATION_REASONS
from domain.records import Message, MessageKind, StoredAuthorization
from fhir_profiles import communications, next_steps, systems
from fhir_profiles.limits import MAX_ATTACHMENTS, MAX_TEXT_CHARS
from tests.documents import JPEG, PDF, PNG, ZIP, attachment, b64, communication, sha1
from tests.fhir_schema import assert_valid_r4

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
LIMIT = 2 * 1024 * 1024
PROVIDER = {"type": "Organization", "identifier": {"system": systems.INPE, "value": "111222333"}}
PA = PriorAuthorization(
    id="pa-1",
    tenant="org-111222333",
    payer="CNSS",
    pa_type="hospitalisation",
    lines=(PaLine(1, "hospitalisation", "hospitalisation", 3, Money.mad("9000")),),
    requested_at=NOW,
    deadline=NOW + timedelta(hours=48),
    status=PaStatus.INFO_REQUESTED,
)
CLAIM = {"resourceType": "Claim", "id": "claim-1", "provider": PROVIDER}
STORED = StoredAuthorization(PA, 2, orjson.dumps(CLAIM), "claim-1")


def question(note: str = "Joindre le compte rendu opératoire") -> dict[str, Any]:
    body = communications.request_composer("complement-compte-rendu", note)(STORED, "m-1", NOW)
    return orjson.loads(body)  # type: ignore[no-any-return]


def refused(body: dict[str, Any], *, limit: int = LIMIT) -> DomainError:
    with pytest.raises(DomainError) as caught:
        communications.read_answer(body, max_attachment_bytes=limit)
    return caught.value


class TestCommunicationRequest:
    def test_a_question_is_about_the_claim_and_from_the_payer_to_the_provider(self) -> None:
        resource = question()
        assert_valid_r4(resource)
        assert (resource["id"], resource["status"], resource["authoredOn"]) == (
            "m-1",
            "active",
            NOW.isoformat(),
        )
        assert resource["about"] == [
            {"reference": "Claim/claim-1"},
            {"reference": "ClaimResponse/pa-1"},
        ]
        assert resource["payload"] == [{"contentString": "Joindre le compte rendu opératoire"}]
        assert resource["reasonCode"][0]["coding"] == [
            {
                "system": systems.CS_REASON,
                "code": "complement-compte-rendu",
                "display": "Complément demandé : compte rendu médical",
            }
        ]
        assert resource["requester"]["identifier"] == {"system": systems.PAYER_ID, "value": "CNSS"}
        assert resource["recipient"] == [PROVIDER]
        assert "subject" not in resource  # nothing of the patient beyond the Claim's reference

    def test_without_a_note_the_reason_says_what_is_asked(self) -> None:
        assert question(note="")["payload"] == [
            {"contentString": "Complément demandé : compte rendu médical"}
        ]

    def test_a_provider_named_inside_the_claim_keeps_only_its_identifier(self) -> None:
        contained = {**CLAIM, "provider": {"reference": "#org", **PROVIDER}}
        stored = replace(STORED, request_body=orjson.dumps(contained))
        resource = communications.communication_request(stored, "m-1", NOW, "complement-devis", "")
        assert resource["recipient"] == [PROVIDER]

    def test_a_request_that_is_no_claim_names_no_recipient(self) -> None:
        stored = replace(STORED, request_body=b"not json", request_id="")
        resource = communications.communication_request(stored, "m-1", NOW, "complement-devis", "")
        assert "recipient" not in resource
        assert resource["about"] == [{"reference": "ClaimResponse/pa-1"}]
        assert_valid_r4(resource)

    @pytest.mark.parametrize(
        ("answered_by", "status", "expected"),
        [
            (None, PaStatus.INFO_REQUESTED, "active"),
            ("m-2", PaStatus.REQUESTED, "completed"),
            (None, PaStatus.REFUSED, "revoked"),
        ],
    )
    def test_read_back_with_the_status_the_request_now_has(
        self, answered_by: str | None, status: PaStatus, expected: str
    ) -> None:
        body = orjson.dumps(question())
        message = Message(
            "m-1", "pa-1", MessageKind.REQUEST, PA.tenant, "CNSS", NOW, body,
            answered_by=answered_by,
        )  # fmt: skip
        read = communications.request_as_read(message, replace(PA, status=status))
        assert read["status"] == expected
        assert_valid_r4(read)


class TestReadAnswer:
    def test_a_note_and_documents_are_kept_with_their_size_and_sha1(self) -> None:
        body = communication(
            "m-1",
            {"contentString": "Ci-joint"},
            attachment(PDF, title="compte-rendu.pdf"),
            attachment(PNG, "image/png"),
            attachment(JPEG, "image/jpeg; name=radio.jpg", size=len(JPEG), hash=sha1(JPEG)),
            identifier=[{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:42"}],
            sent="2026-03-02T10:00:00+01:00",
        )
        answer = communications.read_answer(body, max_attachment_bytes=LIMIT)
        assert answer.request_id == "m-1" and answer.sent == "2026-03-02T10:00:00+01:00"
        assert answer.payload[0] == {"contentString": "Ci-joint"}
        assert answer.payload[1]["contentAttachment"] == {
            "contentType": "application/pdf",
            "data": b64(PDF),
            "size": len(PDF),
            "hash": sha1(PDF),
            "title": "compte-rendu.pdf",
        }
        assert answer.payload[3]["contentAttachment"]["contentType"] == "image/jpeg"

    def test_based_on_may_be_the_absolute_url_of_the_request(self) -> None:
        body = communication("x")
        body["basedOn"] = [{"reference": "https://gw.example/fhir/CommunicationRequest/m-9"}]
        assert communications.read_answer(body, max_attachment_bytes=LIMIT).request_id == "m-9"

    def test_base64_wrapped_over_lines_is_read(self) -> None:
        text = b64(PDF)
        wrapped = "\n".join(text[i : i + 20] for i in range(0, len(text), 20))
        body = communication(
            "m-1", {"contentAttachment": {"contentType": "application/pdf", "data": wrapped}}
        )
        answer = communications.read_answer(body, max_attachment_bytes=LIMIT)
        assert answer.payload[0]["contentAttachment"]["size"] == len(PDF)

    def test_a_document_at_the_limit_is_kept_one_byte_more_is_too_heavy(self) -> None:
        document = PDF + b"0" * (1000 - len(PDF))
        communications.read_answer(
            communication("m-1", attachment(document)), max_attachment_bytes=1000
        )
        error = refused(communication("m-1", attachment(document + b"0")), limit=1000)
        assert isinstance(error, TooLarge) and error.code == "piece-jointe-trop-lourde"
        assert "au plus 1 Kio" in error.detail
        assert error.expression == "Communication.payload[0].contentAttachment.data"

    def test_one_document_more_than_allowed_is_refused_before_any_is_read(self) -> None:
        body = communication("m-1", *[attachment(b"broken")] * (MAX_ATTACHMENTS + 1))
        error = refused(body)
        assert isinstance(error, TooLarge) and error.code == "pieces-jointes-trop-nombreuses"

    @pytest.mark.parametrize(
        ("item", "code", "kind"),
        [
            (attachment(ZIP, "application/zip"), "type-piece-jointe-refuse", InvalidRequest),
            ({"contentAttachment": {"data": b64(PDF)}}, "type-piece-jointe-refuse", InvalidRequest),
            (attachment(PNG, "application/pdf"), "piece-jointe-non-conforme", InvalidRequest),
            (attachment(ZIP, "image/jpeg"), "piece-jointe-non-conforme", InvalidRequest),
            ({"contentAttachment": {"contentType": "application/pdf", "data": "%%%"}},
             "piece-jointe-illisible", MalformedRequest),
            ({"contentAttachment": {"contentType": "application/pdf", "data": "QUJDRA"}},
             "piece-jointe-illisible", MalformedRequest),
            ({"contentAttachment": {"contentType": "application/pdf",
                                    "url": "https://files.example/cr.pdf"}},
             "piece-jointe-illisible", MalformedRequest),
            (attachment(PDF, size=len(PDF) + 1), "piece-jointe-illisible", MalformedRequest),
            (attachment(PDF, hash=sha1(PNG)), "piece-jointe-illisible", MalformedRequest),
            ({"contentReference": {"reference": "DocumentReference/1"}}, "ressource-invalide",
             MalformedRequest),
            ({"contentString": "x" * (MAX_TEXT_CHARS + 1)}, "texte-trop-long", InvalidRequest),
            ({"contentString": "a", **attachment()}, "ressource-invalide", MalformedRequest),
        ],
    )  # fmt: skip
    def test_each_refusal_has_its_code(
        self, item: dict[str, Any], code: str, kind: type[DomainError]
    ) -> None:
        error = refused(communication("m-1", item))
        assert (type(error), error.code) == (kind, code)
        assert error.expression is not None and error.expression.startswith("Communication.payload")

    @pytest.mark.parametrize(
        ("change", "code"),
        [
            ({"resourceType": "CommunicationRequest"}, "type-ressource-invalide"),
            ({"status": "in-progress"}, "statut-communication-invalide"),
            ({"basedOn": None}, "demande-complement-absente"),
            ({"basedOn": [{"reference": "ServiceRequest/1"}]}, "demande-complement-absente"),
            (
                {"basedOn": [{"reference": "CommunicationRequest/a"},
                             {"reference": "CommunicationRequest/b"}]},
                "demande-complement-absente",
            ),
            ({"payload": None}, "communication-vide"),
            ({"colour": "blue"}, "ressource-invalide"),
        ],
    )  # fmt: skip
    def test_a_communication_that_answers_nothing_is_refused(
        self, change: dict[str, Any], code: str
    ) -> None:
        body = {k: v for k, v in {**communication("m-1"), **change}.items() if v is not None}
        assert refused(body).code == code


class TestCommunication:
    def test_an_answer_is_kept_under_our_id_from_the_provider_to_the_payer(self) -> None:
        read = communications.read_answer(
            communication("m-1", attachment()), max_attachment_bytes=LIMIT
        )
        compose = communications.answer_composer(read, "111222333")
        resource = orjson.loads(compose(STORED, "m-2", NOW))
        assert_valid_r4(resource)
        assert (resource["id"], resource["status"], resource["received"]) == (
            "m-2",
            "completed",
            NOW.isoformat(),
        )
        assert resource["basedOn"] == [{"reference": "CommunicationRequest/m-1"}]
        assert resource["about"][0] == {"reference": "Claim/claim-1"}
        assert resource["sender"]["identifier"] == {"system": systems.INPE, "value": "111222333"}
        assert resource["recipient"][0]["identifier"]["value"] == "CNSS"
        assert communications.documents(resource) == [("application/pdf", PDF)]


_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
_NAMES = st.sampled_from(
    ["basedOn", "payload", "status", "identifier", "sent", "contentAttachment", "contentString",
     "contentType", "data", "size", "hash", "title", "creation", "url", "reference"]
)  # fmt: skip
_SHAPED = st.recursive(
    _SCALARS | st.just("completed") | st.just("application/pdf") | st.just(b64(PDF)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=25,
)


class TestNextSteps:
    def test_every_reason_a_reviewer_asks_with_says_what_to_send(self) -> None:
        assert set(next_steps.WHILE_INFORMATION) == INFORMATION_REASONS


class TestAnyBody:
    @settings(max_examples=300, deadline=None)
    @given(st.dictionaries(_NAMES, _SHAPED, max_size=5) | st.dictionaries(st.text(), _JSON))
    def test_any_json_is_read_or_refused_with_a_code_never_an_error(
        self, body: dict[str, Any]
    ) -> None:
        body = {"resourceType": "Communication", **body}
        try:
            communications.read_answer(body, max_attachment_bytes=LIMIT)
        except DomainError as error:
            assert error.code
