"""The patient's claim history end to end, against a real uvicorn and worker: a line billed again
on another claim is answered as a duplicate, and once its claim is cancelled, it is not."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.pa_world import TASK_CODE, World, submit, world
from tests.e2e.test_claims import bill, granted, reasons, shares
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e
__all__ = ["world"]  # the module's fixture


def paid(world: World, claim_id: str, day: date) -> dict[str, Any]:
    """A claim for the day's epoetin under a prise en charge of its own, paid."""
    billed = bill(world, claim_id, granted(world, day)["id"], day=day)
    answer = submit(world, world.state.pharmacy, billed)
    assert answer.status_code == 200, answer.text
    assert shares(answer.json())["benefit"] == 4900
    return dict(answer.json())


def cancel(world: World, response: dict[str, Any]) -> httpx.Response:
    body = {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE, "code": "cancel"}]},
        "focus": response["request"],
    }
    return httpx.post(f"{world.base}/fhir/Task", content=orjson.dumps(body),
                      headers=world.headers(world.state.pharmacy))  # fmt: skip


class TestHistory:
    def test_the_same_line_on_a_second_claim_is_rejected_as_a_duplicate(self, world: World) -> None:
        day = date.today()
        paid(world, "FACT-HIST-1", day)
        twice = bill(world, "FACT-HIST-2", granted(world, day)["id"], day=day)
        answer = submit(world, world.state.pharmacy, twice)
        assert answer.status_code == 200, answer.text
        response = answer.json()
        assert_valid_r4(response)
        assert reasons(response) == ["doublon"] and shares(response)["benefit"] == 0
        assert "payment" not in response
        [note] = response["processNote"]
        assert note["text"].startswith("Ligne déjà facturée : même prestataire, patient, acte")
        assert "annulez-la" in note["text"]

    def test_once_its_claim_is_cancelled_the_line_may_be_billed_again(self, world: World) -> None:
        day = date.today() - timedelta(days=20)
        first = paid(world, "FACT-HIST-3", day)
        assert cancel(world, first).status_code == 200
        paid(world, "FACT-HIST-4", day)  # neither a duplicate nor a refill too early now
