"""A prise en charge covers the patient it was asked for, end to end against a real uvicorn:
the pharmacy's PEC of epoetin for the dialysis patient, cited in a claim or a counter check
for another member of the population, covers nothing there and keeps its units for its own
patient. What the state stores of the patient is a key, never the member's number."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from adapters.sql.tables import AuthorizationRow
from gateway.bootstrap import open_storage
from tests.e2e.pa_world import World, costly_drug, submit, world
from tests.e2e.test_claims import CLAIM_DOCUMENT, HOLD_UNTIL, care_day, granted, reasons, shares

pytestmark = pytest.mark.e2e
__all__ = ["world"]  # the module's fixture

BOXES = 4  # what `granted` asks and is granted of epoetin
AUTHORIZATION = AuthorizationRow.__table__


def bill(world: World, persona: str, claim_id: str, pa_id: str, *, day: date,
         use: str = "claim") -> dict[str, Any]:  # fmt: skip
    """The pharmacy's claim for the epoetin it dispensed that day to a persona, citing a PEC."""
    body = costly_drug(world.patient(persona), quantity=BOXES, day=day)
    body["use"] = use
    body["identifier"] = [{"system": "urn:oid:2.16.504.1.1", "value": claim_id}]
    body["supportingInfo"] = [
        {"sequence": i, "category": {"text": code},
         "code": {"coding": [{"system": CLAIM_DOCUMENT, "code": code}]}}
        for i, code in enumerate(("ordonnance", "vignettes"), 1)
    ]  # fmt: skip
    body["insurance"][0]["preAuthRef"] = [pa_id]
    return body


def stored(world: World, pa_id: str) -> tuple[int, int, str, str]:
    """The PEC as stored: boxes left, version, the patient's key, and its raw state."""
    with open_storage(world.state.settings) as storage, storage.uow() as uow:
        found = uow.authorizations.get(pa_id)
        raw = uow.session.execute(
            select(AUTHORIZATION.c.state).where(AUTHORIZATION.c.id == pa_id)
        ).scalar_one()
    assert found is not None
    pa = found.authorization
    return pa.granted[0].quantity_left, found.version, pa.patient, raw


class TestAnotherPatient:
    def test_a_claim_for_another_patient_is_refused_and_the_pec_keeps_its_units(
        self, world: World
    ) -> None:
        day = care_day(1)
        pa = granted(world, day)["id"]  # for the dialysis patient
        answer = submit(world, world.state.pharmacy, bill(world, "ald", "AUTRUI-1", pa, day=day))
        assert answer.status_code == 200, answer.text
        assert shares(answer.json())["benefit"] == 0
        assert reasons(answer.json()) == ["accord-prealable-requis"]
        left, version, patient, raw = stored(world, pa)
        assert (left, version) == (BOXES, 1)  # untouched
        assert patient and world.patient("dialysis") not in raw  # a key, not the number
        own = submit(world, world.state.pharmacy, bill(world, "dialysis", "SIEN-1", pa, day=day))
        assert shares(own.json())["benefit"] == 4900  # its own patient still gets every box

    def test_a_counter_check_for_another_patient_holds_nothing(self, world: World) -> None:
        day = care_day(2)
        pa = granted(world, day)["id"]
        check = bill(world, "ald", "AUTRUI-CHK", pa, day=day, use="predetermination")
        answer = submit(world, world.state.pharmacy, check)
        assert answer.status_code == 200, answer.text
        assert shares(answer.json())["benefit"] == 0
        assert reasons(answer.json()) == ["accord-prealable-requis"]
        assert HOLD_UNTIL not in [e["url"] for e in answer.json().get("extension", [])]
        assert stored(world, pa)[:2] == (BOXES, 1)  # nothing held
