"""Requests for information and answers over HTTP, against a real uvicorn: who may call
which route, what a provider's answer may carry, and the whole exchange.

The prises en charge are written into the server's database through the SQL adapters, as the
Claim route stores them, each in the state a test needs (a request for information already
asked, say); tests/e2e/test_prior_authorization.py goes through the Claim route itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest

from adapters.sql.uow import SqlUnitOfWork
from domain.money import Money
from domain.prior_auth import PaLine, PaStatus, PriorAuthorization
from domain.records import (
    AuditEntry,
    AuthorizationChange,
    ExchangeRecord,
    Message,
    MessageKind,
    StoredAuthorization,
)
from fhir_profiles import communications, systems
from gateway.bootstrap import open_storage
from tests.documents import PDF, PNG, ZIP, attachment, communication, information_request
from tests.e2e.support import Client, GatewayState, register_reviewer, token_form
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e

PROVIDER_SCOPES = "system/CommunicationRequest.rs system/Communication.c"
REVIEWER_SCOPES = "system/CommunicationRequest.crs system/Communication.rs"
FHIR_JSON = {"Content-Type": "application/fhir+json"}


@dataclass(frozen=True)
class Seeded:
    """A prise en charge of the pharmacy's, addressed to CNSS, and the request asked on it."""

    authorization_id: str
    claim_id: str
    request_id: str


@dataclass(frozen=True)
class Parties:
    """The server, and the bearer headers of each party."""

    base: str
    state: GatewayState
    pharmacy: dict[str, str]
    clinic: dict[str, str]
    cnss: dict[str, str]
    cnops: dict[str, str]


def bearer(base: str, who: Client, scope: str) -> dict[str, str]:
    """Authorization header for a fresh token of `who` from the server at `base`."""
    answer = httpx.post(f"{base}/auth/token", data=token_form(who, f"{base}/auth/token", scope))
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture(scope="module")
def parties(live: tuple[str, GatewayState], tmp_path_factory: pytest.TempPathFactory) -> Parties:
    """The live server, its pharmacy and clinic, and a review unit of CNSS and of CNOPS."""
    base, state = live
    work = tmp_path_factory.mktemp("reviewers")
    cnss = register_reviewer(state.settings, work, "CNSS", "CM-CASA")
    cnops = register_reviewer(state.settings, work, "CNOPS", "CM-RABAT")
    return Parties(
        base,
        state,
        pharmacy=bearer(base, state.pharmacy, PROVIDER_SCOPES),
        clinic=bearer(base, state.clinic, PROVIDER_SCOPES),
        cnss=bearer(base, cnss, REVIEWER_SCOPES),
        cnops=bearer(base, cnops, REVIEWER_SCOPES),
    )


def seed(state: GatewayState, status: PaStatus = PaStatus.REQUESTED, *, asked: bool) -> Seeded:
    """A prise en charge stored as the Claim route stores one, and a request on it when
    `asked` (written through the SQL adapters, into the server's database)."""
    now, ids = datetime.now(UTC), uuid.uuid4().hex[:12]
    seeded = Seeded(f"pa-{ids}", f"claim-{ids}", f"cr-{ids}")
    tenant = f"org-{state.pharmacy.inpe}"
    line = PaLine(1, "hospitalisation", "hospitalisation", 3, Money.mad("9000"))
    pa = PriorAuthorization(
        seeded.authorization_id, tenant, "CNSS", "hospitalisation", (line,), now,
        now + timedelta(hours=48), status=status,
    )  # fmt: skip
    provider = {"identifier": {"system": systems.INPE, "value": state.pharmacy.inpe}}
    claim = orjson.dumps(
        {
            "resourceType": "Claim",
            "id": seeded.claim_id,
            "use": "preauthorization",
            "patient": {"reference": "Patient/1"},
            "provider": provider,
        }
    )
    record = ExchangeRecord(
        pa.id, "preauthorization", tenant, now, seeded.claim_id, status.value, None, (), claim,
        orjson.dumps({"resourceType": "ClaimResponse", "id": pa.id}),
    )  # fmt: skip
    with open_storage(state.settings) as storage, storage.uow() as uow:
        uow.exchanges.add(record)
        uow.authorizations.add_many([pa])
        if asked:
            _ask(uow, pa, seeded, claim, now)
        uow.commit()
    return seeded


def _ask(
    uow: SqlUnitOfWork, pa: PriorAuthorization, seeded: Seeded, claim: bytes, now: datetime
) -> None:
    """The reviewer's request, stored with its change as the use case stores it."""
    stored = StoredAuthorization(pa, 1, claim, seeded.claim_id)
    compose = communications.request_composer("complement-compte-rendu", "Le compte rendu")
    question = Message(
        seeded.request_id, pa.id, MessageKind.REQUEST, pa.tenant, pa.payer, now,
        compose(stored, seeded.request_id, now), reason="complement-compte-rendu",
    )  # fmt: skip
    audit = AuditEntry(now, "preauthorization.ask-information", 200, client_id="seed")
    asked = replace(pa, status=PaStatus.INFO_REQUESTED)
    assert uow.authorizations.change(AuthorizationChange(asked, 1, b"{}", audit, (), question))


class TestWhoMayCall:
    def test_a_provider_calling_the_reviewers_route_is_refused_for_its_role(
        self, parties: Parties
    ) -> None:
        seeded = seed(parties.state, asked=False)
        answer = httpx.post(
            f"{parties.base}/fhir/ClaimResponse/{seeded.authorization_id}/$request-information",
            headers={**parties.pharmacy, **FHIR_JSON},
            content=orjson.dumps(information_request()),
        )
        assert answer.status_code == 403
        assert answer.json()["issue"][0]["details"]["coding"][0]["code"] == "role-non-autorise"

    def test_a_reviewer_calling_a_providers_route_is_refused_for_its_role(
        self, parties: Parties
    ) -> None:
        seeded = seed(parties.state, PaStatus.INFO_REQUESTED, asked=True)
        answer = httpx.get(
            f"{parties.base}/fhir/CommunicationRequest/{seeded.request_id}", headers=parties.cnss
        )
        assert (answer.status_code, code(answer)) == (403, "role-non-autorise")

    def test_a_request_is_read_by_its_provider_and_by_no_other(self, parties: Parties) -> None:
        seeded = seed(parties.state, asked=True)
        url = f"{parties.base}/fhir/CommunicationRequest"
        mine = httpx.get(f"{url}/{seeded.request_id}", headers=parties.pharmacy)
        assert mine.status_code == 200, mine.text
        assert_valid_r4(mine.json())
        assert (mine.json()["status"], mine.json()["about"][0]["reference"]) == (
            "active",
            f"Claim/{seeded.claim_id}",
        )
        theirs = httpx.get(f"{url}/{seeded.request_id}", headers=parties.clinic)
        assert (theirs.status_code, code(theirs)) == (404, "ressource-introuvable")
        found = httpx.get(
            url, params={"about": f"Claim/{seeded.claim_id}"}, headers=parties.pharmacy
        )
        assert [e["resource"]["id"] for e in found.json()["entry"]] == [seeded.request_id]
        hidden = httpx.get(
            url, params={"about": f"Claim/{seeded.claim_id}"}, headers=parties.clinic
        )
        assert hidden.status_code == 404

    def test_a_search_without_its_one_parameter_is_refused(self, parties: Parties) -> None:
        url = f"{parties.base}/fhir/CommunicationRequest"
        for params in ({}, {"about": "Patient/1"}, {"about": "Claim/x", "status": "active"}):
            answer = httpx.get(url, params=params, headers=parties.pharmacy)
            assert (answer.status_code, code(answer)) == (400, "parametre-invalide"), params

    def test_a_token_without_the_scope_is_refused(self, parties: Parties) -> None:
        only_read = bearer(parties.base, parties.state.pharmacy, "system/CommunicationRequest.r")
        answer = httpx.post(
            f"{parties.base}/fhir/Communication",
            headers={**only_read, **FHIR_JSON},
            content=orjson.dumps(communication("cr-1")),
        )
        assert (answer.status_code, code(answer)) == (403, "portee-insuffisante")


class TestAnswerBody:
    @pytest.mark.parametrize(
        ("item", "status", "expected"),
        [
            (attachment(ZIP, "application/zip"), 422, "type-piece-jointe-refuse"),
            (attachment(PNG, "application/pdf"), 422, "piece-jointe-non-conforme"),
            ({"contentAttachment": {"contentType": "image/png", "data": "@@@"}}, 400,
             "piece-jointe-illisible"),
        ],
    )  # fmt: skip
    def test_each_refused_document_is_told_in_french_with_its_code(
        self, parties: Parties, item: dict[str, object], status: int, expected: str
    ) -> None:
        answer = post_answer(parties, communication("cr-1", item))
        assert (answer.status_code, code(answer)) == (status, expected)
        assert answer.json()["issue"][0]["expression"][0].startswith("Communication.payload[0]")

    def test_a_document_over_the_limit_is_refused_though_the_body_is_read(
        self, parties: Parties
    ) -> None:
        limit = parties.state.settings.max_attachment_bytes
        heavy = PDF + b"0" * (limit + 1 - len(PDF))  # its body is past the 1 MiB of others
        answer = post_answer(parties, communication("cr-1", attachment(heavy)))
        assert (answer.status_code, code(answer)) == (413, "piece-jointe-trop-lourde")

    def test_a_body_over_the_answers_limit_is_refused_before_it_is_read(
        self, parties: Parties
    ) -> None:
        limit = parties.state.settings.max_attachment_bytes
        huge = [attachment(PDF + b"0" * limit)] * 6  # past five documents at their largest
        answer = post_answer(parties, communication("cr-1", *huge))
        assert (answer.status_code, code(answer)) == (413, "corps-trop-volumineux")

    def test_an_answer_to_another_providers_request_is_not_found(self, parties: Parties) -> None:
        seeded = seed(parties.state, asked=True)
        answer = httpx.post(
            f"{parties.base}/fhir/Communication",
            headers={**parties.clinic, **FHIR_JSON},
            content=orjson.dumps(communication(seeded.request_id)),
        )
        assert (answer.status_code, code(answer)) == (404, "ressource-introuvable")


class TestTheWholeExchange:
    def test_a_question_answered_with_documents_read_by_the_reviewer(
        self, parties: Parties
    ) -> None:
        seeded = seed(parties.state, asked=False)
        asked = httpx.post(
            f"{parties.base}/fhir/ClaimResponse/{seeded.authorization_id}/$request-information",
            headers={**parties.cnss, **FHIR_JSON},
            content=orjson.dumps(information_request(note="Le compte rendu opératoire")),
        )
        assert asked.status_code == 201, asked.text
        request_id = asked.json()["id"]
        assert asked.headers["location"].endswith(f"/CommunicationRequest/{request_id}")
        body = communication(request_id, {"contentString": "Ci-joint"}, attachment(PDF))
        answered = post_answer(parties, body)
        assert answered.status_code == 201, answered.text
        answer_id = answered.json()["id"]
        url = f"{parties.base}/fhir/Communication"
        read = httpx.get(f"{url}/{answer_id}", headers=parties.cnss)
        assert communications.documents(read.json()) == [("application/pdf", PDF)]
        listed = httpx.get(url, params={"based-on": f"CommunicationRequest/{request_id}"},
                           headers=parties.cnss)  # fmt: skip
        assert [e["resource"]["id"] for e in listed.json()["entry"]] == [answer_id]
        assert httpx.get(f"{url}/{answer_id}", headers=parties.cnops).status_code == 404
        again = post_answer(parties, body)
        assert (again.status_code, code(again)) == (409, "complement-deja-fourni")


def post_answer(parties: Parties, body: dict[str, object]) -> httpx.Response:
    """The pharmacy posts an answer."""
    return httpx.post(
        f"{parties.base}/fhir/Communication",
        headers={**parties.pharmacy, **FHIR_JSON},
        content=orjson.dumps(body),
        timeout=30,
    )


def code(answer: httpx.Response) -> str:
    """The reason code of an OperationOutcome answer."""
    return str(answer.json()["issue"][0]["details"]["coding"][0]["code"])
