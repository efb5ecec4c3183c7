"""Notifications end to end: a real uvicorn, real `amo-gateway worker` processes, and a receiver
on loopback that verifies every signature with `standardwebhooks`.

Events are written as the prise en charge exchange will write them: a Recording whose effects
carry notifications, through the recorder's one transaction (adapters.sql.recorder.record_all).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.sql.recorder import record_all
from devtools.server import free_port, running, server_environment
from domain.notifications import Topic
from domain.records import AuditEntry, Effects, Notification, Recording
from domain.subscriptions import Subscription, SubscriptionStatus
from gateway.bootstrap import open_storage
from gateway.commands import admin
from gateway.commands.endpoints import add_endpoint
from gateway.ids import new_id
from gateway.settings import Settings
from tests.e2e.receiver import Receiver
from tests.e2e.services import fresh_postgres_database
from tests.e2e.support import Client, register_client, token_form

pytestmark = pytest.mark.e2e

# Fast retries and polls, loopback allowed: the settings a test on 127.0.0.1 needs.
WORKER_ENV = {
    "AMO_WEBHOOK_ALLOW_HTTP": "1",
    "AMO_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",
    "AMO_WORKER_POLL_SECONDS": "0.2",
    "AMO_WEBHOOK_MAX_ATTEMPTS": "5",
    "AMO_WEBHOOK_BACKOFF_BASE_SECONDS": "0.2",
    "AMO_WEBHOOK_BACKOFF_CAP_SECONDS": "0.4",
    "AMO_WEBHOOK_TIMEOUT_SECONDS": "2",
    "AMO_WORKER_LEASE_SECONDS": "10",
}
SCOPES = "system/Subscription.cruds"
PHARMACY_ORG = "org-111222333"
WAIT_SECONDS = 30.0  # a delivery takes a poll (0.2 s); thirty means it is stuck
QUIET_SECONDS = 1.5  # several polls with nothing more arriving: nothing more will


@dataclass(frozen=True)
class Prepared:
    """A migrated database with a pharmacy and a clinic, the pharmacy's endpoint registered."""

    settings: Settings
    env: dict[str, str]
    pharmacy: Client
    clinic: Client


def prepare(work: Path, public_url: str, receiver: Receiver, **env: str) -> Prepared:
    """Migrate, register the two providers and the pharmacy's endpoint (the receiver)."""
    given = {
        "AMO_STATE_DIR": str(work),
        "AMO_DATABASE_URL": f"sqlite:///{work / 'gateway.db'}",
        "AMO_PUBLIC_URL": public_url,
        "AMO_LOG_LEVEL": "WARNING",
        **WORKER_ENV,
        **env,
    }
    settings = Settings.from_env(given).with_secrets()
    admin.run_migrations(settings)
    pharmacy = register_client(settings, work, "pharmacy", "111222333")
    clinic = register_client(settings, work, "clinic", "444555666")
    _, receiver.secret = add_endpoint(settings, inpe=pharmacy.inpe, url=receiver.url)
    return Prepared(settings, given, pharmacy, clinic)


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`amo-gateway worker` in its own process, stopped by SIGTERM on leaving."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "worker"],
            env=server_environment(env),
            stdout=out,
            stderr=out,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def notify(settings: Settings, *focus_ids: str, tenant: str = PHARMACY_ORG) -> list[str]:
    """Commit notifications as an exchange does; their event ids."""
    now = datetime.now(UTC)
    events = tuple(
        Notification(new_id(), tenant, Topic.PA_DECIDED.value, f"ClaimResponse/{focus}", now)
        for focus in focus_ids
    )
    audit = AuditEntry(at=now, action="preauthorization.decide", outcome=200, tenant=tenant)
    with open_storage(settings) as storage:
        record_all(
            [Recording(None, audit, effects=Effects(notifications=events))], uow=storage.uow()
        )
    return [event.id for event in events]


def eventually(check: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    """Wait until `check()` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def headers_for(base: str, client: Client) -> dict[str, str]:
    answer = httpx.post(f"{base}/auth/token", data=token_form(client, f"{base}/auth/token", SCOPES))
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def subscription_body(endpoint: str, criteria: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "Suivi des prises en charge",
        "criteria": "https://fhir.tiers-payant.ma/SubscriptionTopic/prior-authorization-decided",
        "channel": {"type": "rest-hook", "endpoint": endpoint, "payload": "application/fhir+json"},
    }
    if criteria:
        body["_criteria"] = {
            "extension": [
                {
                    "url": "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria",
                    "valueString": criteria,
                }
            ]
        }
    return body


@dataclass(frozen=True)
class Live:
    """A gateway and a worker on SQLite, and the pharmacy's receiver."""

    base: str
    prepared: Prepared
    receiver: Receiver
    work: Path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    work = tmp_path_factory.mktemp("notifications")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with Receiver() as receiver:
        prepared = prepare(work, base, receiver)
        with (
            running(prepared.env, port, work / "server.log"),
            worker(prepared.env, work / "worker.log"),
        ):
            yield Live(base, prepared, receiver, work)


def subscribe(live: Live, criteria: str = "") -> str:
    headers = headers_for(live.base, live.prepared.pharmacy)
    answer = httpx.post(
        f"{live.base}/fhir/Subscription",
        json=subscription_body(live.receiver.url, criteria),
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def events(live: Live, subscription_id: str, **params: str) -> list[dict[str, Any]]:
    """$events' notification-event parameters, each as {part name: value}."""
    headers = headers_for(live.base, live.prepared.pharmacy)
    answer = httpx.get(
        f"{live.base}/fhir/Subscription/{subscription_id}/$events", params=params, headers=headers
    )
    assert answer.status_code == 200, answer.text
    status = answer.json()["entry"][0]["resource"]
    return [
        {
            p["name"]: next(v for k, v in p.items() if k.startswith("value"))
            for p in parameter["part"]
        }
        for parameter in status["parameter"]
        if parameter["name"] == "notification-event"
    ]


class TestDelivery:
    def test_a_notification_is_received_once_and_signed(self, live: Live) -> None:
        subscription_id = subscribe(live, criteria="ClaimResponse?_id=cr-once")
        notify(live.prepared.settings, "cr-once", "cr-filtered-out")
        received = live.receiver.received
        eventually(lambda: len(received.accepted) >= 1, "the notification")
        time.sleep(QUIET_SECONDS)
        assert len(received.accepted) == 1 and received.forged == 0
        webhook_id, bundle = received.accepted[0]
        assert webhook_id.startswith("msg_")
        assert bundle["type"] == "history"
        status = bundle["entry"][0]["resource"]
        values = {p["name"]: p for p in status["parameter"]}
        assert values["subscription"]["valueReference"]["reference"] == (
            f"{live.base}/fhir/Subscription/{subscription_id}"
        )
        focus = {p["name"]: p for p in values["notification-event"]["part"]}["focus"]
        assert focus["valueReference"]["reference"] == f"{live.base}/fhir/ClaimResponse/cr-once"
        [listed] = events(live, subscription_id)
        assert (listed["delivery-status"], listed["delivery-attempts"]) == ("delivered", 1)

    def test_an_unreachable_receiver_leaves_a_dead_letter_that_a_replay_delivers(
        self, live: Live
    ) -> None:
        received = live.receiver.received
        subscription_id = subscribe(live, criteria="ClaimResponse?_id=cr-dead")
        live.receiver.down = True
        try:
            notify(live.prepared.settings, "cr-dead")
            eventually(
                lambda: bool(events(live, subscription_id, status="dead")), "the dead letter"
            )
        finally:
            live.receiver.down = False
        [dead] = events(live, subscription_id, status="dead")
        assert (dead["delivery-attempts"], dead["delivery-error"]) == (5, "HTTP 503")
        webhook_ids = [i for i, n in received.attempts.items() if n == 5]
        assert len(webhook_ids) == 1  # the same webhook-id at every attempt
        headers = headers_for(live.base, live.prepared.pharmacy)
        read = httpx.get(f"{live.base}/fhir/Subscription/{subscription_id}", headers=headers).json()
        assert read["status"] == "error" and "HTTP 503" in read["error"]

        replay = httpx.post(
            f"{live.base}/fhir/Subscription/{subscription_id}/$replay", headers=headers
        )
        assert replay.status_code == 200, replay.text
        assert replay.json()["parameter"] == [{"name": "replayed", "valueInteger": 1}]
        eventually(lambda: webhook_ids[0] in received.accepted_ids(), "the replayed notification")
        time.sleep(QUIET_SECONDS)
        assert received.accepted_ids().count(webhook_ids[0]) == 1
        [delivered] = events(live, subscription_id)
        assert delivered["delivery-status"] == "delivered"


class TestAnotherProvider:
    def test_cannot_read_delete_list_or_replay_the_pharmacy_s_subscription(
        self, live: Live
    ) -> None:
        subscription_id = subscribe(live)
        clinic = headers_for(live.base, live.prepared.clinic)
        url = f"{live.base}/fhir/Subscription/{subscription_id}"
        answers = [
            httpx.get(url, headers=clinic),
            httpx.delete(url, headers=clinic),
            httpx.get(f"{url}/$events", headers=clinic),
            httpx.post(f"{url}/$replay", headers=clinic),
        ]
        for answer in answers:
            assert answer.status_code == 404, answer.text
            assert (
                answer.json()["issue"][0]["details"]["coding"][0]["code"] == "ressource-introuvable"
            )
        pharmacy = headers_for(live.base, live.prepared.pharmacy)
        assert httpx.get(url, headers=pharmacy).status_code == 200
        found = httpx.get(f"{live.base}/fhir/Subscription", headers=clinic).json()
        assert found["total"] == 0

    def test_cannot_subscribe_with_an_endpoint_not_registered_for_it(self, live: Live) -> None:
        clinic = headers_for(live.base, live.prepared.clinic)
        answer = httpx.post(
            f"{live.base}/fhir/Subscription",
            json=subscription_body(live.receiver.url),
            headers=clinic,
        )
        assert answer.status_code == 422
        issue = answer.json()["issue"][0]
        assert issue["details"]["coding"][0]["code"] == "point-de-terminaison-non-enregistre"
        assert issue["expression"] == ["Subscription.channel.endpoint"]


class TestWorkerProcess:
    def test_it_stops_gracefully_on_sigterm(self, live: Live) -> None:
        log = live.work / "second-worker.log"
        env = {**live.prepared.env, "AMO_LOG_LEVEL": "INFO"}  # it says when it runs its loop
        with worker(env, log) as process:
            eventually(lambda: "started" in log.read_text(errors="replace"), "the worker's loop")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
            assert "stopped" in log.read_text(errors="replace")


@pytest.mark.postgres
class TestTwoWorkersOnPostgres:
    def test_each_notification_is_delivered_exactly_once(self, tmp_path: Path) -> None:
        count = 40
        with fresh_postgres_database() as database_url, Receiver() as receiver:
            prepared = prepare(
                tmp_path, "http://127.0.0.1:1", receiver, AMO_DATABASE_URL=database_url
            )
            self.subscribe_directly(prepared)
            with (
                worker(prepared.env, tmp_path / "w1.log") as first,
                worker(prepared.env, tmp_path / "w2.log") as second,
            ):
                ids = notify(prepared.settings, *(f"cr-{n}" for n in range(count)))
                received = receiver.received
                eventually(lambda: len(received.accepted) >= count, f"{count} notifications")
                time.sleep(QUIET_SECONDS)
                assert first.poll() is None and second.poll() is None
            accepted = Counter(received.accepted_ids())
            assert len(ids) == count and len(accepted) == count
            assert set(accepted.values()) == {1}
            assert set(received.attempts.values()) == {1}  # never attempted twice either

    @staticmethod
    def subscribe_directly(prepared: Prepared) -> None:
        with open_storage(prepared.settings) as storage, storage.uow() as uow:
            [endpoint] = uow.endpoints.of(PHARMACY_ORG)
            subscription = Subscription(
                id=new_id(),
                tenant=PHARMACY_ORG,
                topic=Topic.PA_DECIDED,
                endpoint_id=endpoint.id,
                endpoint_url=endpoint.url,
                reason="suivi",
                status=SubscriptionStatus.ACTIVE,
                created=datetime.now(UTC),
            )
            uow.subscriptions.add(subscription)
            uow.commit()
