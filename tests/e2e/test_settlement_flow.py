"""Settlement end to end: a claim paid at the counter through the real app, settled by the
payer's cycle, is found by its pharmacy as a PaymentReconciliation naming the Claim and
ClaimResponse it can read, then as a PaymentNotice once the bank's statement says it paid."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.bank_accounts import rib_key
from gateway.bootstrap import open_storage
from gateway.commands.settlement import approve, propose, run_cycle, run_statement
from tests.bank_documents import Booked, camt054
from tests.e2e.pa_world import PROVIDER_SCOPES, World, submit, world
from tests.e2e.test_claims import bill, granted
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e
__all__ = ["world"]  # the module's fixture
PAYMENTS = f"{PROVIDER_SCOPES} system/PaymentReconciliation.rs system/PaymentNotice.rs"


def rib(account: str) -> str:
    return f"011780{account}{rib_key('011', '780', account)}"


def found(world: World, path: str) -> dict[str, Any]:
    answer = httpx.get(f"{world.base}/fhir/{path}",
                       headers=world.headers(world.state.pharmacy, PAYMENTS))  # fmt: skip
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert_valid_r4(body)
    return body


def test_a_claim_paid_at_the_counter_is_traced_to_its_transfer(
    world: World, tmp_path: Path
) -> None:
    day = date.today() - timedelta(days=2)
    pa = granted(world, day)
    answer = submit(world, world.state.pharmacy, bill(world, "F-SETTLE-1", pa["preAuthRef"],
                                                      day=day))  # fmt: skip
    assert answer.status_code == 200, answer.text
    response = answer.json()
    claim_id = response["request"]["reference"].removeprefix("Claim/")
    due = date.fromisoformat(response["payment"]["date"])
    settings = replace(world.state.settings, settlement_dir=tmp_path,
                       settlement_debtors=f"CNSS={rib('9' * 16)}")  # fmt: skip
    with open_storage(settings) as storage, storage.uow() as uow:
        pharmacy = uow.providers.by_inpe(world.state.pharmacy.inpe)
        assert pharmacy is not None
    propose(settings, pharmacy.id, rib("0" * 15 + "7"), "alice")
    approve(settings, pharmacy.id, "bob")

    report, problems = run_cycle(settings, "CNSS", due, quiet=True)
    assert problems == [] and report.transfers == 1

    (entry,) = found(world, "PaymentReconciliation?payer=CNSS")["entry"]
    paid = entry["resource"]
    (detail,) = paid["detail"]
    assert detail["request"] == {"reference": f"Claim/{claim_id}",
                                 "identifier": {"value": "F-SETTLE-1"}}  # fmt: skip
    assert detail["response"] == {"reference": f"ClaimResponse/{response['id']}"}
    assert detail["amount"] == paid["paymentAmount"] == response["payment"]["amount"]
    assert found(world, detail["request"]["reference"])["id"] == claim_id  # readable
    assert "entry" not in found(world, "PaymentNotice")  # not paid until the bank says so

    end_to_end = paid["paymentIdentifier"]["value"]
    centimes = round(paid["paymentAmount"]["value"] * 100)
    statement = tmp_path / "camt054.xml"
    statement.write_bytes(camt054([Booked(end_to_end, centimes)], date.today()))
    run_statement(settings, statement)
    (notice,) = found(world, "PaymentNotice")["entry"]
    assert notice["resource"]["payment"] == {"reference": f"PaymentReconciliation/{paid['id']}"}
    assert notice["resource"]["paymentStatus"]["coding"][0]["code"] == "paid"
    assert datetime.now(UTC).date() >= date.fromisoformat(notice["resource"]["paymentDate"])
