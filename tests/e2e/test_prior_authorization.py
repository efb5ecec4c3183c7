"""Prior authorization end to end: a real uvicorn, a real `amo-gateway worker` process, and
providers' webhook receivers on loopback that verify every signature.

A pharmacy's costly drug is granted at once; a clinic's admission is queued, decided by the
payer's reviewer, notified, and fetched; a request for information goes and comes back with a
document; a refusal says why and what to do; a grant expires; a provider cancels. Nobody sees
or acts on what is not theirs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import orjson
import pytest

from devtools.server import free_port, running
from gateway.commands.endpoints import add_endpoint
from tests.documents import PDF, attachment, communication, information_request
from tests.e2e.receiver import Receiver
from tests.e2e.support import Client, GatewayState, prepare_state, register_reviewer, token_form
from tests.e2e.test_notifications import WORKER_ENV, worker
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e

IDCS = "https://fhir.tiers-payant.ma/sid/idcs"
GTIN = "https://www.gs1.org/gtin"
SPECIALTY = "https://fhir.tiers-payant.ma/CodeSystem/specialty"
CARE_CATEGORY = "https://fhir.tiers-payant.ma/CodeSystem/care-category"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
TASK_CODE = "http://hl7.org/fhir/financialtaskcode"
TOPICS = "https://fhir.tiers-payant.ma/SubscriptionTopic"
DECISION_DEADLINE = "https://fhir.tiers-payant.ma/StructureDefinition/decision-deadline"
EPOETIN = "6111000000045"  # costly, ALD17, at most 12 per 30 days, nephrologists
PROVIDER_SCOPES = (
    "system/Claim.crs system/ClaimResponse.rs system/Task.c system/Subscription.cruds "
    "system/CommunicationRequest.rs system/Communication.c"
)
REVIEWER_SCOPES = (
    "system/ClaimResponse.rus system/Claim.rs system/CommunicationRequest.crs "
    "system/Communication.rs"
)
FHIR_JSON = {"Content-Type": "application/fhir+json"}
WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class World:
    """The gateway, its worker, the providers' receivers and the payers' reviewers."""

    base: str
    state: GatewayState
    pharmacy_inbox: Receiver
    clinic_inbox: Receiver
    cnss: Client
    cnops: Client

    def headers(self, who: Client, scopes: str = PROVIDER_SCOPES) -> dict[str, str]:
        form = token_form(who, f"{self.base}/auth/token", scopes)
        answer = httpx.post(f"{self.base}/auth/token", data=form)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}", **FHIR_JSON}

    def patient(self, persona: str) -> str:
        return self.state.people[persona][1]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    work = tmp_path_factory.mktemp("prior-authorization")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    timers = {"AMO_PA_TIMER_SECONDS": "0.3"}
    with Receiver() as pharmacy_inbox, Receiver() as clinic_inbox:
        state = prepare_state(work, base, **WORKER_ENV, **timers)
        _, pharmacy_inbox.secret = add_endpoint(
            state.settings, inpe=state.pharmacy.inpe, url=pharmacy_inbox.url
        )
        _, clinic_inbox.secret = add_endpoint(
            state.settings, inpe=state.clinic.inpe, url=clinic_inbox.url
        )
        cnss = register_reviewer(state.settings, work, "CNSS", "CM-CASA")
        cnops = register_reviewer(state.settings, work, "CNOPS", "CM-RABAT")
        with running(state.env, port, work / "server.log"), worker(state.env, work / "worker.log"):
            found = World(base, state, pharmacy_inbox, clinic_inbox, cnss, cnops)
            for who, inbox in ((state.pharmacy, pharmacy_inbox), (state.clinic, clinic_inbox)):
                for topic in ("decided", "information-requested", "expired"):
                    _subscribe(found, who, inbox, f"{TOPICS}/prior-authorization-{topic}")
            yield found


def _subscribe(world: World, who: Client, inbox: Receiver, topic: str) -> None:
    body = {
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "Suivi des prises en charge",
        "criteria": topic,
        "channel": {"type": "rest-hook", "endpoint": inbox.url, "payload": "application/fhir+json"},
    }
    answer = httpx.post(f"{world.base}/fhir/Subscription", json=body, headers=world.headers(who))
    assert answer.status_code == 201, answer.text


def costly_drug(idcs: str, *, quantity: int = 4, day: date | None = None) -> dict[str, Any]:
    """A pharmacy's request for epoetin, prescribed by a nephrologist."""
    item: dict[str, Any] = {
        "sequence": 1,
        "productOrService": {"coding": [{"system": GTIN, "code": EPOETIN}]},
        "quantity": {"value": quantity},
        "net": {"value": 1250 * quantity, "currency": "MAD"},
    }
    if day is not None:
        item["servicedDate"] = day.isoformat()
    return _claim(idcs, "pharmacy", [item], specialty="nephrologie")


def admission(idcs: str, *, urgent: bool = False) -> dict[str, Any]:
    """A clinic's request for a planned (or urgent) three-day stay."""
    item = {
        "sequence": 1,
        "productOrService": {"coding": [{"system": CARE_CATEGORY, "code": "hospitalisation"}]},
        "quantity": {"value": 3},
        "net": {"value": 9000, "currency": "MAD"},
    }
    return _claim(idcs, "institutional", [item], urgent=urgent)


def _claim(
    idcs: str,
    kind: str,
    items: list[dict[str, Any]],
    *,
    specialty: str | None = None,
    urgent: bool = False,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Claim",
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": kind}]},
        "use": "preauthorization",
        "patient": {"identifier": {"system": IDCS, "value": idcs}},
        "created": date.today().isoformat(),
        "provider": {"display": "Demandeur"},
        "priority": {"coding": [{"system": PRIORITY, "code": "stat" if urgent else "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}],
        "item": items,
    }
    if specialty is not None:
        body["careTeam"] = [
            {
                "sequence": 1,
                "provider": {"display": "Prescripteur"},
                "qualification": {"coding": [{"system": SPECIALTY, "code": specialty}]},
            }
        ]
    return body


def submit(world: World, who: Client, claim: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(
        f"{world.base}/fhir/Claim/$submit",
        content=orjson.dumps(claim),
        headers={**world.headers(who), **headers},
    )


def decide(
    world: World, reviewer: Client, response_id: str, *params: dict[str, Any]
) -> httpx.Response:
    body = {"resourceType": "Parameters", "parameter": list(params)}
    return httpx.post(
        f"{world.base}/fhir/ClaimResponse/{response_id}/$decide",
        content=orjson.dumps(body),
        headers=world.headers(reviewer, REVIEWER_SCOPES),
    )


def verdict(code: str) -> dict[str, Any]:
    return {"name": "decision", "valueCode": code}


def reason(code: str) -> dict[str, Any]:
    return {"name": "reason", "valueCode": code}


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {WAIT_SECONDS:.0f} s: {what}")


def notified(inbox: Receiver, focus: str, topic: str) -> Callable[[], bool]:
    """Whether a verified notification about `focus` on `topic` reached the inbox."""

    def check() -> bool:
        return any(_about(payload, focus, topic) for _, payload in inbox.received.accepted)

    return check


def _about(bundle: dict[str, Any], focus: str, topic: str) -> bool:
    status = bundle["entry"][0]["resource"]
    parts = {p["name"]: p for p in status["parameter"]}
    if not parts["topic"]["valueCanonical"].endswith(topic):
        return False
    events = [p for p in status["parameter"] if p["name"] == "notification-event"]
    return any(
        part.get("valueReference", {}).get("reference", "").endswith(focus)
        for event in events
        for part in event["part"]
    )


def read(world: World, who: Client, path: str, scopes: str = PROVIDER_SCOPES) -> httpx.Response:
    return httpx.get(f"{world.base}/fhir/{path}", headers=world.headers(who, scopes))


def benefit(response: dict[str, Any]) -> list[tuple[float, int]]:
    """(amount, quantity) granted per item."""
    found = []
    for item in response.get("item", []):
        for adjudication in item["adjudication"]:
            if adjudication["category"]["coding"][0]["code"] == "benefit":
                found.append((adjudication["amount"]["value"], adjudication.get("value", 0)))
    return found


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


CLAIM_DOCUMENT = "https://fhir.tiers-payant.ma/CodeSystem/claim-document"


def bill(world: World, claim_id: str, pa_id: str | None, *, quantity: int = 4,
         use: str = "claim") -> dict[str, Any]:  # fmt: skip
    """The pharmacy's claim for the epoetin it dispensed, with its prescription and labels."""
    body = costly_drug(world.patient("dialysis"), quantity=quantity)
    body["use"] = use
    body["identifier"] = [{"system": "urn:oid:2.16.504.1.1", "value": claim_id}]
    body["supportingInfo"] = [
        {"sequence": i, "category": {"text": code},
         "code": {"coding": [{"system": CLAIM_DOCUMENT, "code": code}]}}
        for i, code in enumerate(("ordonnance", "vignettes"), 1)
    ]  # fmt: skip
    if pa_id is not None:
        body["insurance"][0]["preAuthRef"] = [pa_id]
    return body


def shares(response: dict[str, Any]) -> dict[str, float]:
    """The first item's amounts by adjudication category."""
    return {
        a["category"]["coding"][0]["code"]: a.get("amount", {}).get("value", a.get("value"))
        for a in response["item"][0]["adjudication"]
    }


class TestClaims:
    """Tiers payant at the counter: the claim that follows a prise en charge uses it, once."""

    def test_a_claim_uses_its_prise_en_charge_and_is_paid_once(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        answer = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-1", pa["id"]))
        assert answer.status_code == 200, answer.text
        paid = answer.json()
        assert_valid_r4(paid)
        assert (paid["use"], paid["outcome"], paid["preAuthRef"]) == ("claim", "complete", pa["id"])
        assert shares(paid)["benefit"] == 4900 and shares(paid)["copay"] == 100  # 98 %
        assert "payment" in paid
        used = read(world, world.state.pharmacy, f"ClaimResponse/{pa['id']}").json()
        assert used["outcome"] == "complete"
        again = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-1", pa["id"]))
        assert again.status_code == 409  # the same claim: never paid twice
        assert again.json()["issue"][0]["details"]["coding"][0]["code"] == "deja-comptabilise"
        after = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-2", pa["id"]))
        assert shares(after.json())["benefit"] == 0  # the authorization is used up

    def test_a_retried_claim_with_its_key_gets_the_same_answer(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        body = bill(world, "FACT-E2E-3", pa["id"])
        first = submit(world, world.state.pharmacy, body, **{"Idempotency-Key": "fact-3"})
        second = submit(world, world.state.pharmacy, body, **{"Idempotency-Key": "fact-3"})
        assert first.status_code == second.status_code == 200
        assert first.content == second.content and second.headers["Idempotent-Replayed"] == "true"

    def test_a_counter_check_holds_the_units_for_its_claim(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        check = submit(
            world, world.state.pharmacy, bill(world, "CHK-1", pa["id"], use="predetermination")
        )
        assert check.status_code == 200, check.text
        assert check.json()["use"] == "predetermination" and "payment" not in check.json()
        assert shares(check.json())["benefit"] == 4900
        claim = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-4", pa["id"]))
        assert shares(claim.json())["benefit"] == 4900  # the claim that follows uses the hold

    def test_without_its_prise_en_charge_a_costly_drug_is_not_paid(self, world: World) -> None:
        answer = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-5", None)).json()
        assert shares(answer)["benefit"] == 0
        codes = [
            a["reason"]["coding"][0]["code"]
            for a in answer["item"][0]["adjudication"]
            if "reason" in a
        ]
        assert "accord-prealable-requis" in codes

    def test_another_provider_cannot_use_the_pharmacy_s_prise_en_charge(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        answer = submit(world, world.state.clinic, bill(world, "FACT-E2E-6", pa["id"])).json()
        assert shares(answer)["benefit"] == 0
        mine = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-7", pa["id"])).json()
        assert shares(mine)["benefit"] == 4900  # still whole for its own provider

    def test_a_claim_is_read_back_and_found_by_its_provider_only(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        paid = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-8", pa["id"])).json()
        again = read(world, world.state.pharmacy, f"ClaimResponse/{paid['id']}")
        assert again.status_code == 200 and again.json()["use"] == "claim"
        claim = read(world, world.state.pharmacy, paid["request"]["reference"])
        assert claim.status_code == 200 and claim.json()["identifier"][0]["value"] == "FACT-E2E-8"
        found = read(
            world, world.state.pharmacy, f"ClaimResponse?request={paid['request']['reference']}"
        )
        assert [e["resource"]["id"] for e in found.json()["entry"]] == [paid["id"]]
        both = read(world, world.state.pharmacy, "ClaimResponse?_count=100").json()
        uses = {e["resource"]["use"] for e in both["entry"]}
        assert {"claim", "preauthorization"} <= uses
        assert read(world, world.state.clinic, f"ClaimResponse/{paid['id']}").status_code == 404
        assert read(world, world.state.clinic, paid["request"]["reference"]).status_code == 404

    def test_a_claim_cancelled_before_settlement_is_reversed_once(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        paid = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-9", pa["id"])).json()
        claim_id = paid["request"]["reference"].removeprefix("Claim/")

        def task(who: Client, code: str = "cancel") -> httpx.Response:
            body = {
                "resourceType": "Task",
                "status": "requested",
                "intent": "order",
                "code": {"coding": [{"system": TASK_CODE, "code": code}]},
                "focus": {"reference": f"Claim/{claim_id}"},
            }
            return httpx.post(f"{world.base}/fhir/Task", content=orjson.dumps(body),
                              headers=world.headers(who))  # fmt: skip

        assert task(world.state.clinic).status_code == 404  # not another's
        assert task(world.state.pharmacy, "status").json()["output"][1]["valueCode"] == "payable"
        first = task(world.state.pharmacy)
        assert first.status_code == 200, first.text
        assert (
            first.json()["businessStatus"]["text"] == "Demande annulée : sa part AMO n'est plus due"
        )
        again = task(world.state.pharmacy)
        assert again.json()["businessStatus"]["text"] == "Demande déjà annulée"
        assert task(world.state.pharmacy, "status").json()["output"][1]["valueCode"] == "cancelled"
