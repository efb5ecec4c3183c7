"""A gateway, its worker, providers' webhook receivers and the payers' reviewers, for the
prior-authorization and claim tests end to end; the bodies they send and how they read the
answers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import orjson
import pytest

from devtools.server import free_port, running
from gateway.commands.endpoints import add_endpoint
from tests.e2e.receiver import Receiver
from tests.e2e.support import Client, GatewayState, prepare_state, register_reviewer, token_form
from tests.e2e.test_notifications import WORKER_ENV, worker

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
AMOXICILLIN = "6111000000076"  # an ordinary drug: PPV 35.50, PBR 22.40 (synthetic catalog)
COMPLEMENTARY = "https://fhir.tiers-payant.ma/sid/complementary"
CLAIM_DOCUMENT = "https://fhir.tiers-payant.ma/CodeSystem/claim-document"
PROVIDER_SCOPES = (
    "system/Claim.crs system/ClaimResponse.rs system/Task.c system/Subscription.cruds "
    "system/CommunicationRequest.rs system/Communication.c"
)
REVIEWER_SCOPES = (
    "system/ClaimResponse.rus system/Claim.rs system/CommunicationRequest.crs "
    "system/Communication.rs system/DetectedIssue.rs"
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


def dispensing(
    idcs: str,
    claim_id: str,
    *,
    boxes: int,
    billed: float,
    prescribed: int | None = None,
    mutuelle: str | None = None,
    day: date | None = None,
) -> dict[str, Any]:
    """A pharmacy's bill for the amoxicillin it dispensed (that day, else today), with its
    feuille de soins; the prescription it served, contained, when `prescribed` boxes; the
    patient's mutuelle beside the AMO, by the assigner of the member's number, when named."""
    item: dict[str, Any] = {
        "sequence": 1,
        "productOrService": {"coding": [{"system": GTIN, "code": AMOXICILLIN}]},
        "quantity": {"value": boxes},
        "net": {"value": billed, "currency": "MAD"},
    }
    if day is not None:
        item["servicedDate"] = day.isoformat()
    body = _claim(idcs, "pharmacy", [item])
    body["use"] = "claim"
    body["identifier"] = [{"system": "urn:oid:2.16.504.1.1", "value": claim_id}]
    body["supportingInfo"] = [
        {"sequence": 1, "category": {"text": "feuille-de-soins"},
         "code": {"coding": [{"system": CLAIM_DOCUMENT, "code": "feuille-de-soins"}]}}
    ]  # fmt: skip
    if prescribed is not None:
        body["contained"] = [{
            "resourceType": "MedicationRequest", "id": "rx", "status": "active",
            "intent": "order", "subject": {"identifier": {"system": IDCS, "value": idcs}},
            "groupIdentifier": {"value": f"ORD-{claim_id}"},
            "medicationCodeableConcept": {"coding": [{"system": GTIN, "code": AMOXICILLIN}]},
            "dispenseRequest": {"quantity": {"value": prescribed, "unit": "boîte"}},
        }]  # fmt: skip
        body["prescription"] = {"reference": "#rx"}
    if mutuelle is not None:
        number = {
            "system": "urn:oid:2.16.504.9.1",
            "value": f"{mutuelle}-{idcs}",
            "assigner": {"identifier": {"system": COMPLEMENTARY, "value": mutuelle}},
        }
        body["insurance"].append(
            {"sequence": 2, "focal": False, "coverage": {"type": "Coverage", "identifier": number}}
        )  # fmt: skip
    return body


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
