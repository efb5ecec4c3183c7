"""A transfer executed by the bank reaches the provider's webhook: the settlement's statement
import calls `announce_paid` in its transaction, the event goes through the real outbox on
SQLite, a real `amo-gateway worker` delivers it signed, and the PaymentNotice it names is
read back through the app. Another provider's payment never reaches this receiver."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.memory_transfers import MemoryTransfers
from domain.payment_records import TransferRecord
from domain.services.payments import announce_paid
from gateway.app import create_app
from gateway.bootstrap import open_storage
from gateway.ids import new_id
from tests.e2e.conftest import bearer
from tests.e2e.receiver import Receiver
from tests.e2e.test_notifications import (
    QUIET_SECONDS,
    Prepared,
    eventually,
    prepare,
    subscription_body,
    worker,
)
from tests.fhir_schema import assert_valid_r4
from tests.payment_worlds import transfer

pytestmark = pytest.mark.e2e
BASE = "http://testserver"
TOPIC = "https://fhir.tiers-payant.ma/SubscriptionTopic/payment-notified"
SCOPES = "system/Subscription.cruds system/PaymentNotice.rs system/PaymentReconciliation.rs"


@dataclass(frozen=True)
class World:
    """The app and a worker over one SQLite database, the pharmacy's receiver, and the
    transfers the app reads."""

    client: TestClient
    prepared: Prepared
    receiver: Receiver
    transfers: MemoryTransfers

    def headers(self) -> dict[str, str]:
        return bearer(self.client, self.prepared.pharmacy, SCOPES)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    work = tmp_path_factory.mktemp("payment-notices")
    transfers = MemoryTransfers()
    with Receiver() as receiver:
        prepared = prepare(work, BASE, receiver)
        app = create_app(prepared.settings, transfers=transfers)
        with (
            TestClient(app, raise_server_exceptions=False) as client,
            worker(prepared.env, work / "worker.log"),
        ):
            yield World(client, prepared, receiver, transfers)


def settle(world: World, *executed: TransferRecord) -> None:
    """What the statement import does once the bank's statement shows transfers paid: record
    them, and announce them in the same transaction."""
    world.transfers.put(*executed)
    with open_storage(world.prepared.settings) as storage, storage.uow() as uow:
        announce_paid(executed, uow=uow, new_id=new_id)
        uow.commit()


def focus_of(bundle: dict[str, Any]) -> str:
    status = bundle["entry"][0]["resource"]
    event = next(p for p in status["parameter"] if p["name"] == "notification-event")
    focus = next(p for p in event["part"] if p["name"] == "focus")
    return str(focus["valueReference"]["reference"])


class TestPaymentNotified:
    def test_the_provider_s_webhook_hears_of_its_payment_and_reads_the_notice(
        self, world: World
    ) -> None:
        headers = world.headers()
        subscribed = world.client.post(
            "/fhir/Subscription", json=subscription_body(world.receiver.url) | {"criteria": TOPIC},
            headers=headers,
        )  # fmt: skip
        assert subscribed.status_code == 201, subscribed.text
        pharmacy = f"org-{world.prepared.pharmacy.inpe}"
        clinic = f"org-{world.prepared.clinic.inpe}"
        settle(
            world,
            transfer("E2E-HOOK-1", provider=pharmacy),
            transfer("E2E-HOOK-2", provider=clinic),
        )

        received = world.receiver.received
        eventually(lambda: len(received.accepted) >= 1, "the payment notification")
        time.sleep(QUIET_SECONDS)
        assert len(received.accepted) == 1 and received.forged == 0  # not the clinic's
        focus = focus_of(received.accepted[0][1])
        assert focus == f"{BASE}/fhir/PaymentNotice/E2E-HOOK-1"

        notice = world.client.get(focus.removeprefix(BASE), headers=headers)
        assert notice.status_code == 200, notice.text
        assert_valid_r4(notice.json())
        assert notice.json()["payment"] == {"reference": "PaymentReconciliation/E2E-HOOK-1"}
        other = world.client.get("/fhir/PaymentNotice/E2E-HOOK-2", headers=headers)
        assert other.status_code == 404
