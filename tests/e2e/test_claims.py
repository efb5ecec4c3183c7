"""Claims end to end, against a real uvicorn and worker: the claim that follows a prise en charge
uses it, once; a counter check holds its units; a claim is paid once, read back, found, and
cancelled before settlement; nobody else's is seen or used.

Each test bills the same patient for the same drug, on a day of care of its own: a line paid
in one test is the patient's history in the next ones (the same line again is a duplicate,
the next supply before the last ran out a refill too early)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.pa_world import TASK_CODE, World, costly_drug, read, submit, world
from tests.e2e.support import Client
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e
__all__ = ["world"]  # the module's fixture

CLAIM_DOCUMENT = "https://fhir.tiers-payant.ma/CodeSystem/claim-document"
SUPPLY_DAYS = 10  # 4 boxes of epoetin, at most 12 per 30 days


def care_day(slot: int) -> date:
    """A test's day of care: its slot's supply runs out before the next slot's day begins."""
    return date.today() - timedelta(days=SUPPLY_DAYS * slot)


def granted(world: World, day: date) -> dict[str, Any]:
    """The pharmacy's prise en charge of epoetin for the patient, from that day."""
    answer = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"), day=day))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def bill(world: World, claim_id: str, pa_id: str | None, *, day: date, quantity: int = 4,
         use: str = "claim") -> dict[str, Any]:  # fmt: skip
    """The pharmacy's claim for the epoetin it dispensed that day, with its prescription and
    labels."""
    body = costly_drug(world.patient("dialysis"), quantity=quantity, day=day)
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


def reasons(response: dict[str, Any]) -> list[str]:
    """The first item's reason codes."""
    return [
        a["reason"]["coding"][0]["code"]
        for a in response["item"][0]["adjudication"]
        if "reason" in a
    ]


def shares(response: dict[str, Any]) -> dict[str, float]:
    """The first item's amounts by adjudication category."""
    return {
        a["category"]["coding"][0]["code"]: a.get("amount", {}).get("value", a.get("value"))
        for a in response["item"][0]["adjudication"]
    }


class TestClaims:
    """Tiers payant at the counter: the claim that follows a prise en charge uses it, once."""

    def test_a_claim_uses_its_prise_en_charge_and_is_paid_once(self, world: World) -> None:
        day = care_day(8)
        pa = granted(world, day)
        answer = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-1", pa["id"], day=day))
        assert answer.status_code == 200, answer.text
        paid = answer.json()
        assert_valid_r4(paid)
        assert (paid["use"], paid["outcome"], paid["preAuthRef"]) == ("claim", "complete", pa["id"])
        assert shares(paid)["benefit"] == 4900 and shares(paid)["copay"] == 100  # 98 %
        assert "payment" in paid
        used = read(world, world.state.pharmacy, f"ClaimResponse/{pa['id']}").json()
        assert used["outcome"] == "complete"
        again = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-1", pa["id"], day=day))
        assert again.status_code == 409  # the same claim: never paid twice
        assert again.json()["issue"][0]["details"]["coding"][0]["code"] == "deja-comptabilise"
        next_supply = bill(world, "FACT-E2E-2", pa["id"], day=care_day(7))
        after = submit(world, world.state.pharmacy, next_supply).json()
        assert shares(after)["benefit"] == 0  # the authorization is used up
        assert reasons(after) == ["accord-prealable-requis"]

    def test_a_retried_claim_with_its_key_gets_the_same_answer(self, world: World) -> None:
        day = care_day(6)
        body = bill(world, "FACT-E2E-3", granted(world, day)["id"], day=day)
        first = submit(world, world.state.pharmacy, body, **{"Idempotency-Key": "fact-3"})
        second = submit(world, world.state.pharmacy, body, **{"Idempotency-Key": "fact-3"})
        assert first.status_code == second.status_code == 200
        assert first.content == second.content and second.headers["Idempotent-Replayed"] == "true"

    def test_a_counter_check_holds_the_units_for_its_claim(self, world: World) -> None:
        day = care_day(5)
        pa = granted(world, day)
        check = submit(
            world,
            world.state.pharmacy,
            bill(world, "CHK-1", pa["id"], day=day, use="predetermination"),
        )
        assert check.status_code == 200, check.text
        assert check.json()["use"] == "predetermination" and "payment" not in check.json()
        assert shares(check.json())["benefit"] == 4900
        claim = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-4", pa["id"], day=day))
        assert shares(claim.json())["benefit"] == 4900  # the claim that follows uses the hold

    def test_without_its_prise_en_charge_a_costly_drug_is_not_paid(self, world: World) -> None:
        unauthorized = bill(world, "FACT-E2E-5", None, day=care_day(4))
        answer = submit(world, world.state.pharmacy, unauthorized).json()
        assert shares(answer)["benefit"] == 0
        assert reasons(answer) == ["accord-prealable-requis"]

    def test_another_provider_cannot_use_the_pharmacy_s_prise_en_charge(self, world: World) -> None:
        day = care_day(3)
        pa = granted(world, day)
        theirs = bill(world, "FACT-E2E-6", pa["id"], day=day)
        answer = submit(world, world.state.clinic, theirs).json()
        assert shares(answer)["benefit"] == 0
        ours = bill(world, "FACT-E2E-7", pa["id"], day=day)
        mine = submit(world, world.state.pharmacy, ours).json()
        assert shares(mine)["benefit"] == 4900  # still whole for its own provider

    def test_a_claim_is_read_back_and_found_by_its_provider_only(self, world: World) -> None:
        day = care_day(2)
        billed = bill(world, "FACT-E2E-8", granted(world, day)["id"], day=day)
        paid = submit(world, world.state.pharmacy, billed).json()
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
        day = care_day(1)
        billed = bill(world, "FACT-E2E-9", granted(world, day)["id"], day=day)
        paid = submit(world, world.state.pharmacy, billed).json()
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
