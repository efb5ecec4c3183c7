"""A prise en charge covers the patient it was asked for, and no other: a claim, or a counter
check, for another patient citing it is decided as if it cited none, and leaves it as it was.
Against the fakes of the ports (the patient's key is `tests.pipeline_fakes.patient_key`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.claims import ClaimUse, LineStatus
from domain.money import Money
from domain.prior_auth import Use
from domain.reference import ReferenceData
from tests.pipeline_fakes import FakeStore, patient_key
from tests.unit.domain.test_services_claims import (
    bill,
    decided,
    granted,
    line,
    request,
    world,
)

pytestmark = pytest.mark.anyio
PA_REQUIRED = "accord-prealable-requis"  # the reason a line needing a PEC it lacks is refused


def unkeyed(store: FakeStore) -> None:
    """pa-1 as recorded before prises en charge kept their patient's key."""
    pa, version = store.authorizations["pa-1"]
    store.authorizations["pa-1"] = (replace(pa, patient=""), version)


class TestAnotherPatient:
    async def test_a_claim_citing_another_patient_s_is_refused_and_uses_nothing(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store, patient="M2")  # the claim is for M1
        before = store.authorizations["pa-1"]
        outcome = await decided(ports, ref, request())
        [result] = outcome.adjudication.lines
        assert (result.status, result.reasons) == (LineStatus.REJECTED, (PA_REQUIRED,))
        assert outcome.used == () and outcome.adjudication.payable == Money(0)
        assert store.authorizations["pa-1"] == before and store.ledger == []

    async def test_a_claim_for_its_own_patient_is_covered_and_uses_it(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store, patient="M1")
        _, statuses, payable = await bill(ports, ref, request())
        assert statuses == LineStatus.ACCEPTED.value and int(payable) > 0
        pa, version = store.authorizations["pa-1"]
        assert version == 2 and pa.uses == (Use("F-1", 1, 1, Money.mad("15200")),)

    async def test_a_counter_check_for_another_patient_holds_nothing(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store, patient="M2", boxes=1)
        before = store.authorizations["pa-1"]
        check = await decided(ports, ref, request("CHK", use=ClaimUse.PREDETERMINATION))
        [result] = check.adjudication.lines
        assert (result.status, result.reasons) == (LineStatus.REJECTED, (PA_REQUIRED,))
        assert check.held_until is None and check.used == ()
        assert store.authorizations["pa-1"] == before  # no reservation, version unchanged

    async def test_a_line_citing_another_patient_s_does_not_stop_the_next(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store, patient="M1")
        pa, _ = store.authorizations["pa-1"]
        store.authorizations["pa-2"] = (replace(pa, id="pa-2", patient=patient_key("M2")), 1)
        theirs, mine = line(pa="pa-2"), replace(line(pa="pa-1"), sequence=2)
        outcome = await decided(ports, ref, request("F-1", theirs, mine))
        first, second = outcome.adjudication.lines
        assert first.reasons == (PA_REQUIRED,) and second.status is LineStatus.ACCEPTED
        assert store.authorizations["pa-2"] == (replace(pa, id="pa-2", patient="key:M2"), 1)


class TestRecordedWithoutPatient:
    async def test_a_claim_citing_one_recorded_without_its_patient_is_refused(
        self, ref: ReferenceData
    ) -> None:
        """Safest: whose it is cannot be told, so it covers no one (the provider asks again)."""
        store, ports = world()
        granted(store)
        unkeyed(store)
        before = store.authorizations["pa-1"]
        outcome = await decided(ports, ref, request())
        assert outcome.adjudication.lines[0].reasons == (PA_REQUIRED,)
        assert store.authorizations["pa-1"] == before

    async def test_a_counter_check_citing_one_recorded_without_its_patient_holds_nothing(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store)
        unkeyed(store)
        check = await decided(ports, ref, request("CHK", use=ClaimUse.PREDETERMINATION))
        assert check.held_until is None and store.authorizations["pa-1"][0].reservations == ()
