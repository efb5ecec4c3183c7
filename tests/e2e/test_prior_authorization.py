"""Prior authorization end to end: a real uvicorn, a real `amo-gateway worker` process, and
providers' webhook receivers on loopback that verify every signature.

A pharmacy's costly drug is granted at once; a clinic's admission is queued, decided by the
payer's reviewer, notified, and fetched; a request for information goes and comes back with a
document; a refusal says why and what to do; a grant expires; a provider cancels. Nobody sees
or acts on what is not theirs.
"""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import orjson
import pytest

from tests.documents import PDF, attachment, b64, communication, information_request
from tests.e2e.pa_world import (
    DECISION_DEADLINE,
    REVIEWER_SCOPES,
    TASK_CODE,
    World,
    admission,
    benefit,
    costly_drug,
    decide,
    eventually,
    notified,
    read,
    reason,
    submit,
    verdict,
    world,
)
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e
__all__ = ["world"]  # the module's fixture


class TestDocumentsJoined:
    """The prescription's scan goes with the request, as a phone or a scanner makes it."""

    def joining(self, world: World, document: bytes) -> dict[str, object]:
        body = costly_drug(world.patient("dialysis"), quantity=1)
        scan = attachment(document)["contentAttachment"]
        body["supportingInfo"] = [
            {"sequence": 1, "category": {"text": "ordonnance"}, "valueAttachment": scan}
        ]
        return body

    def test_a_scan_heavier_than_a_plain_body_goes_with_the_request(self, world: World) -> None:
        scan = PDF + b"0" * world.state.settings.max_body_bytes  # within a document's limit
        answer = submit(world, world.state.pharmacy, self.joining(world, scan))
        assert answer.status_code == 200, answer.text[:500]
        claim = read(world, world.state.pharmacy, answer.json()["request"]["reference"]).json()
        assert claim["supportingInfo"][0]["valueAttachment"]["data"] == b64(scan)

    def test_a_document_over_its_limit_is_refused_and_nothing_recorded(self, world: World) -> None:
        scan = PDF + b"0" * world.state.settings.max_attachment_bytes
        keyed = {"Idempotency-Key": "pec-heavy-scan-1"}
        answer = submit(world, world.state.pharmacy, self.joining(world, scan), **keyed)
        assert answer.status_code == 413, answer.text[:500]
        assert answer.json()["issue"][0]["details"]["coding"][0]["code"] == (
            "piece-jointe-trop-lourde"
        )
        lighter = submit(world, world.state.pharmacy, self.joining(world, PDF), **keyed)
        assert lighter.status_code == 200 and "Idempotent-Replayed" not in lighter.headers


class TestGrantedAtOnce:
    def test_a_pharmacy_s_costly_drug_is_granted_notified_and_read_back(self, world: World) -> None:
        answer = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis")))
        assert answer.status_code == 200, answer.text
        response = answer.json()
        assert_valid_r4(response)
        assert (response["outcome"], response["preAuthRef"]) == ("complete", response["id"])
        assert benefit(response) == [(5000, 4)]
        today = date.today()
        assert response["preAuthPeriod"] == {
            "start": today.isoformat(),
            "end": (today + timedelta(days=29)).isoformat(),
        }
        focus = f"ClaimResponse/{response['id']}"
        eventually(notified(world.pharmacy_inbox, focus, "decided"), "the grant notified")
        assert world.pharmacy_inbox.received.forged == 0
        again = read(world, world.state.pharmacy, focus)
        assert again.status_code == 200 and again.json()["id"] == response["id"]
        claim = read(world, world.state.pharmacy, response["request"]["reference"])
        assert claim.status_code == 200 and claim.json()["use"] == "preauthorization"

    def test_a_retried_submission_asks_once(self, world: World) -> None:
        body = costly_drug(world.patient("dialysis"), quantity=2)
        first = submit(world, world.state.pharmacy, body, **{"Idempotency-Key": "pec-retry-1"})
        second = submit(world, world.state.pharmacy, body, **{"Idempotency-Key": "pec-retry-1"})
        assert first.status_code == second.status_code == 200
        assert second.headers.get("Idempotent-Replayed") == "true"
        assert first.json()["id"] == second.json()["id"]
        focus = f"ClaimResponse/{first.json()['id']}"
        eventually(notified(world.pharmacy_inbox, focus, "decided"), "the grant notified")
        found = read(world, world.state.pharmacy, f"ClaimResponse?preauthref={first.json()['id']}")
        assert found.json()["total"] == 1


class TestReviewed:
    def test_an_admission_is_queued_decided_notified_and_fetched(self, world: World) -> None:
        answer = submit(world, world.state.clinic, admission(world.patient("ald")))
        assert answer.status_code == 200, answer.text
        queued = answer.json()
        assert queued["outcome"] == "queued"
        assert any(e["url"] == DECISION_DEADLINE for e in queued.get("extension", []))
        rid = queued["id"]

        queue = read(world, world.cnss, "ClaimResponse/$queue", REVIEWER_SCOPES)
        assert queue.status_code == 200, queue.text
        listed = [
            e["resource"]["id"] for e in queue.json()["entry"] if e["search"]["mode"] == "match"
        ]
        assert rid in listed
        included = [
            e["resource"]["resourceType"]
            for e in queue.json()["entry"]
            if e["search"]["mode"] == "include"
        ]
        assert "Claim" in included
        other = read(world, world.cnops, "ClaimResponse/$queue", REVIEWER_SCOPES)
        assert rid not in [e["resource"]["id"] for e in other.json().get("entry", [])]
        refused = decide(
            world, world.cnops, rid, verdict("grant"), reason("accord-controle-medical")
        )
        assert refused.status_code == 404  # another payer's reviewer: not even seen

        decided = decide(
            world, world.cnss, rid, verdict("grant"), reason("accord-controle-medical")
        )
        assert decided.status_code == 200, decided.text
        assert_valid_r4(decided.json())
        assert decided.json()["outcome"] == "complete" and benefit(decided.json()) == [(9000, 3)]
        eventually(
            notified(world.clinic_inbox, f"ClaimResponse/{rid}", "decided"), "decision notified"
        )
        fetched = read(world, world.state.clinic, f"ClaimResponse/{rid}").json()
        assert fetched["outcome"] == "complete" and "preAuthPeriod" in fetched
        twice = decide(world, world.cnss, rid, verdict("refuse"), reason("refus-non-justifie"))
        assert twice.status_code == 409  # decided already: a double click changes nothing

    def test_a_refusal_says_why_and_what_to_do(self, world: World) -> None:
        rid = submit(world, world.state.clinic, admission(world.patient("ald"))).json()["id"]
        refused = decide(world, world.cnss, rid, verdict("refuse"), reason("refus-non-justifie"))
        assert refused.status_code == 200, refused.text
        response = refused.json()
        assert benefit(response) == [(0, 0)] or not benefit(response)
        notes = " ".join(note["text"] for note in response["processNote"])
        assert "non justifiés médicalement" in notes
        found = read(world, world.state.clinic, "ClaimResponse?status=refused")
        assert rid in [e["resource"]["id"] for e in found.json()["entry"]]

    def test_information_goes_to_the_clinic_and_comes_back_with_a_document(
        self, world: World
    ) -> None:
        queued = submit(world, world.state.clinic, admission(world.patient("ald"))).json()
        rid, claim = queued["id"], queued["request"]["reference"]
        asked = httpx.post(
            f"{world.base}/fhir/ClaimResponse/{rid}/$request-information",
            content=orjson.dumps(information_request(note="Le compte rendu d'hospitalisation")),
            headers=world.headers(world.cnss, REVIEWER_SCOPES),
        )
        assert asked.status_code == 201, asked.text
        eventually(
            notified(world.clinic_inbox, f"ClaimResponse/{rid}", "information-requested"),
            "the request for information notified",
        )
        requests = read(world, world.state.clinic, f"CommunicationRequest?about={claim}").json()
        [request] = [e["resource"] for e in requests["entry"]]
        sent = httpx.post(
            f"{world.base}/fhir/Communication",
            content=orjson.dumps(
                communication(request["id"], {"contentString": "Ci-joint"}, attachment(PDF))
            ),
            headers=world.headers(world.state.clinic),
        )
        assert sent.status_code == 201, sent.text
        answers = read(
            world, world.cnss, f"Communication?about=ClaimResponse/{rid}", REVIEWER_SCOPES
        )
        [answer] = [e["resource"] for e in answers.json()["entry"]]
        documents = [p["contentAttachment"] for p in answer["payload"] if "contentAttachment" in p]
        assert [d["contentType"] for d in documents] == ["application/pdf"]
        back = read(world, world.cnss, "ClaimResponse/$queue", REVIEWER_SCOPES).json()
        assert rid in [e["resource"]["id"] for e in back["entry"]]  # back in the queue


class TestTimersAndTasks:
    def test_a_grant_past_its_validity_expires_and_the_pharmacy_hears_of_it(
        self, world: World
    ) -> None:
        long_ago = date.today() - timedelta(days=40)
        body = costly_drug(world.patient("dialysis"), day=long_ago)
        granted = submit(world, world.state.pharmacy, body).json()
        assert granted["outcome"] == "complete" and benefit(granted)
        rid = granted["id"]
        eventually(
            notified(world.pharmacy_inbox, f"ClaimResponse/{rid}", "expired"), "expiry notified"
        )
        expired = read(world, world.state.pharmacy, "ClaimResponse?status=expired").json()
        assert rid in [e["resource"]["id"] for e in expired["entry"]]

    def test_the_provider_cancels_with_a_task_and_polls_its_status(self, world: World) -> None:
        granted = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        claim_id = granted["request"]["reference"].removeprefix("Claim/")

        def task(code: str) -> httpx.Response:
            body = {
                "resourceType": "Task",
                "status": "requested",
                "intent": "order",
                "code": {"coding": [{"system": TASK_CODE, "code": code}]},
                "focus": {"reference": f"Claim/{claim_id}"},
            }
            return httpx.post(
                f"{world.base}/fhir/Task",
                content=orjson.dumps(body),
                headers=world.headers(world.state.pharmacy),
            )

        cancelled = task("cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert_valid_r4(cancelled.json())
        outputs = {o["type"]["text"]: o for o in cancelled.json()["output"]}
        assert cancelled.json()["status"] == "completed"
        assert outputs["statut"]["valueCode"] == "cancelled"
        assert task("cancel").json()["businessStatus"]["text"] == "Prise en charge déjà annulée"
        assert task("status").json()["output"][1]["valueCode"] == "cancelled"
        current = read(world, world.state.pharmacy, f"ClaimResponse/{granted['id']}").json()
        assert current["status"] == "cancelled"


class TestNobodyElses:
    def test_another_provider_neither_reads_nor_cancels(self, world: World) -> None:
        granted = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        clinic = world.state.clinic
        assert read(world, clinic, f"ClaimResponse/{granted['id']}").status_code == 404
        assert read(world, clinic, granted["request"]["reference"]).status_code == 404
        search = read(world, clinic, f"ClaimResponse?preauthref={granted['id']}").json()
        assert search["total"] == 0
        body = {
            "resourceType": "Task",
            "status": "requested",
            "intent": "order",
            "code": {"coding": [{"system": TASK_CODE, "code": "cancel"}]},
            "focus": {"reference": granted["request"]["reference"]},
        }
        cancel = httpx.post(
            f"{world.base}/fhir/Task", content=orjson.dumps(body), headers=world.headers(clinic)
        )
        assert cancel.status_code == 404
        still = read(world, world.state.pharmacy, f"ClaimResponse/{granted['id']}").json()
        assert still["status"] == "active"

    def test_a_provider_cannot_act_as_a_reviewer(self, world: World) -> None:
        rid = submit(world, world.state.clinic, admission(world.patient("ald"))).json()["id"]
        body = {
            "resourceType": "Parameters",
            "parameter": [verdict("grant"), reason("accord-controle-medical")],
        }
        for path in (f"ClaimResponse/{rid}/$decide",):
            answer = httpx.post(
                f"{world.base}/fhir/{path}",
                content=orjson.dumps(body),
                headers=world.headers(world.state.clinic, "system/ClaimResponse.rus"),
            )
            assert answer.status_code == 403
            assert answer.json()["issue"][0]["details"]["coding"][0]["code"] == "role-non-autorise"
        queue = read(world, world.state.clinic, "ClaimResponse/$queue", "system/ClaimResponse.rs")
        assert queue.status_code == 403

    def test_a_reviewer_cannot_ask_as_a_provider(self, world: World) -> None:
        answer = httpx.post(
            f"{world.base}/fhir/Claim/$submit",
            content=orjson.dumps(admission(world.patient("ald"))),
            headers=world.headers(world.cnss, REVIEWER_SCOPES),
        )
        assert answer.status_code == 403
