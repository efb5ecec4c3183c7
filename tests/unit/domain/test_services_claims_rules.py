"""What the claim use case hands the rules and the ledger, against the fakes of its ports:
the provider's admission, the patient as covered, the prise en charge lines used, held or
let go, and the refusals a provider reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.claims import ClaimUse, Insured
from domain.errors import InvalidRequest
from domain.ledger import AlreadyRecorded, AlreadyReversed, EntryKind
from domain.members import AldGrant
from domain.records import Admission, Convention
from domain.reference import ReferenceData
from tests.fakes import FakeClock
from tests.unit.domain.test_services_claims import (
    NOBODY,
    NOW,
    PHARMACY,
    bill,
    decided,
    granted,
    line,
    request,
    world,
)

pytestmark = pytest.mark.anyio
CANCER = (AldGrant("ALD38", date(2024, 1, 1)),)


class TestWhatTheRulesAreGiven:
    async def test_the_patient_as_covered_with_the_provider_s_category(
        self, ref: ReferenceData
    ) -> None:
        _, ports = world()
        cmd = (await decided(ports, ref, request("F-1", line(pa=None)))).command
        assert cmd is not None
        assert cmd.insured == Insured("M1", "AMO_SALARIES", CANCER)
        assert (cmd.provider_category, cmd.payer, cmd.admitted) == ("pharmacy", "CNSS", True)

    @pytest.mark.parametrize(
        ("admission", "admitted"),
        [
            (None, True),  # not carried by the token: checked where it is
            (Admission(("CNSS",), Convention.ACTIVE), True),
            (Admission(("CNOPS",), Convention.ACTIVE), False),
            (Admission(("CNSS",), Convention.SUSPENDED), False),
        ],
    )
    async def test_admitted_to_the_payer_with_an_active_convention(
        self, ref: ReferenceData, admission: Admission | None, admitted: bool
    ) -> None:
        _, ports = world()
        who = replace(PHARMACY, admission=admission)
        outcome = await decided(ports, ref, request("F-1", line(pa=None)), who=who)
        assert outcome.command is not None and outcome.command.admitted is admitted


class TestNotCovered:
    async def test_every_line_is_refused_for_rights_not_open(self, ref: ReferenceData) -> None:
        store, ports = world()
        granted(store)
        outcome = await decided(ports, ref, request("F-1", who=NOBODY))
        answer = outcome.adjudication
        assert (answer.claim_id, answer.use, answer.reference_version) == (
            "F-1", ClaimUse.CLAIM, ref.version,
        )  # fmt: skip
        assert [r.reasons for r in answer.lines] == [("droits-non-ouverts",)]
        assert [r.reference_version for r in answer.lines] == [ref.version]
        assert (outcome.payer, outcome.used, outcome.command) == ("", (), None)

    async def test_a_claim_naming_nobody_is_refused(self, ref: ReferenceData) -> None:
        _, ports = world()
        nameless = replace(request("F-1"), identifiers=())
        with pytest.raises(InvalidRequest) as refused:
            await bill(ports, ref, nameless)
        assert refused.value.detail == "Aucun identifiant de patient dans la demande"


class TestPriseEnCharge:
    async def test_a_line_its_prise_en_charge_does_not_carry_is_not_covered(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store)
        other_drug = replace(line(), code="6111000000069")
        outcome = await decided(ports, ref, request("F-1", other_drug))
        assert outcome.used == () and store.authorizations["pa-1"][1] == 1
        assert outcome.command is not None and not outcome.command.lines[0].pa_valid

    async def test_the_units_used_are_recorded_with_the_claim(self, ref: ReferenceData) -> None:
        store, ports = world()
        granted(store)
        outcome = await decided(ports, ref, request("F-1"))
        assert "claim.use-authorization" in store.actions()
        change = next(e for e in store.audit if e.action == "claim.use-authorization")
        assert change.at == NOW
        [entry] = store.ledger
        assert (entry.kind, entry.at, entry.due) == (
            EntryKind.CLAIM, NOW, outcome.adjudication.payment_date,
        )  # fmt: skip
        assert entry.due is not None

    async def test_a_held_unit_whose_hold_ran_out_is_used_as_any_other(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store, boxes=1)
        check = await decided(ports, ref, request("CHK", use=ClaimUse.PREDETERMINATION))
        assert check.held_until == NOW + timedelta(minutes=15)
        clock = ports.exchange.clock
        assert isinstance(clock, FakeClock)
        clock.advance(timedelta(minutes=16))
        assert (await bill(ports, ref, request("F-1")))[1] == "accepted"

    async def test_a_claim_sent_again_is_refused_before_its_units_are_read(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store, boxes=1)
        await bill(ports, ref, request("F-1"))
        with pytest.raises(AlreadyRecorded) as refused:
            await bill(ports, ref, request("F-1"))
        assert refused.value.detail == (
            "La demande F-1 a déjà été rendue payable : une demande n'est payée qu'une fois "
            "(une correction cite la demande qu'elle corrige)"
        )
        assert len(store.ledger) == 1


class TestLineByLine:
    async def test_a_line_left_uncovered_does_not_stop_the_next_from_its_units(
        self, ref: ReferenceData
    ) -> None:
        for first in (
            line(pa=None),  # cites none
            replace(line(), code="6111000000069"),  # cites one not carrying its code
            line(quantity=5),  # asks more than is left
        ):
            store, ports = world()
            granted(store)
            covered = replace(line(), sequence=2)
            outcome = await decided(ports, ref, request("F-1", first, covered))
            assert outcome.command is not None
            assert [li.pa_valid for li in outcome.command.lines] == [False, True]
            [used] = outcome.used
            assert [u.sequence for u in used.authorization.uses] == [1]  # the PA's own line

    async def test_a_line_paid_for_nothing_uses_no_units(self, ref: ReferenceData) -> None:
        store, ports = world()
        granted(store)
        without_documents = replace(line(), documents=frozenset())
        outcome = await decided(ports, ref, request("F-1", without_documents))
        assert outcome.adjudication.lines[0].status.value == "incomplete"
        assert outcome.used == () and store.authorizations["pa-1"][1] == 1

    async def test_a_claim_of_no_line_is_answered_with_none(self, ref: ReferenceData) -> None:
        _, ports = world()
        outcome = await decided(ports, ref, replace(request("F-1"), lines=()))
        assert outcome.adjudication.lines == () and outcome.payer == "CNSS"

    async def test_a_correction_may_cite_another_prise_en_charge(self, ref: ReferenceData) -> None:
        store, ports = world()
        granted(store, boxes=1)
        pa, version = store.authorizations["pa-1"]
        store.authorizations["pa-2"] = (replace(pa, id="pa-2"), version)
        await bill(ports, ref, request("F-1"))
        outcome = await decided(ports, ref, request("F-1b", line(pa="pa-2"), related="F-1"))
        assert outcome.command is not None and outcome.command.lines[0].pa_valid
        assert {u.authorization.id for u in outcome.used} == {"pa-1", "pa-2"}  # given, used

    async def test_a_long_claim_id_is_named_by_its_first_64_characters(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store, boxes=1)
        long_id = "F-" + "7" * 70
        await bill(ports, ref, request(long_id))
        with pytest.raises(AlreadyRecorded) as again:
            await bill(ports, ref, request(long_id))
        assert again.value.detail.startswith(f"La demande {long_id[:64]} a déjà")
        await bill(ports, ref, request("F-2", related=long_id))
        with pytest.raises(AlreadyReversed) as twice:
            await bill(ports, ref, request("F-3", related=long_id))
        assert twice.value.detail == f"La demande {long_id[:64]} est déjà annulée ou corrigée"
