"""A claim cancelled, or corrected by a new one, against the fakes of the ports: its benefit
reversed once, the prise en charge units it used given back in the same write, a correction
decided as if the old claim had never used them; what cannot be corrected is refused with
nothing recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from domain import ledger
from domain.claims import ClaimLine, ClaimRequest, ClaimUse, CodeKind, CorrectedClaimUnknown
from domain.errors import InvalidRequest, NotFound, StaleState
from domain.ledger import AlreadyRecorded, AlreadyReversed, AlreadySettled, EntryKind
from domain.money import Money
from domain.prior_auth import PaStatus, Use, give_back_claim
from domain.records import ExchangeRecord
from domain.reference import ReferenceData
from domain.services.claim_corrections import Cancelled, cancel_claim, claim_state
from domain.services.claim_ports import ClaimPorts
from domain.services.exchanges import DECISIONS_AT_MOST
from tests.pipeline_fakes import FakeStore
from tests.unit.domain.test_services_claims import (
    CARE,
    IDCS,
    NOBODY,
    NOW,
    OTHER,
    PHARMACY,
    bill,
    decided,
    granted,
    line,
    request,
    stored_claim,
    world,
)

pytestmark = pytest.mark.anyio
INSULIN = ClaimLine(
    1, "pharmacy", CodeKind.DRUG, "6111000000069", Money.mad("100"), CARE,
    documents=frozenset({"feuille-de-soins"}),
)  # fmt: skip


async def paid(ref: ReferenceData, boxes: int = 1) -> tuple[FakeStore, ClaimPorts, str]:
    """F-1 paid, using `boxes` of pa-1's (all there is): its Claim's id."""
    store, ports = world()
    granted(store, boxes=boxes)
    assert (await bill(ports, ref, request("F-1", line(boxes))))[1] == "accepted"
    return store, ports, claim_of(store, "F-1").request_id


def claim_of(store: FakeStore, claim_id: str) -> ExchangeRecord:
    """The exchange a claim was recorded with, by business identifier."""
    return next(
        r
        for r in store.exchanges.records
        if r.kind == "claim" and stored_claim(r.request_body).claim_id == claim_id
    )


def settle(store: FakeStore, source: str = "pharmacy-1:F-1") -> None:
    """The payer pays the claim."""
    benefit = store.ledger[0].postings[0].amount
    store.ledger.append(
        ledger.payment(
            "v-1", payer="CNSS", provider="pharmacy-1", claims=(source,), amount=benefit, at=NOW
        )
    )


def payable(store: FakeStore) -> Money:
    """What the pharmacy is owed."""
    return -ledger.balance(store.ledger, ledger.payable("CNSS", "pharmacy-1"))


def once(action: Callable[[], None]) -> Callable[[], None]:
    """A hook that acts the first time only."""
    done: list[bool] = []

    def hook() -> None:
        if not done:
            done.append(True)
            action()

    return hook


class TestCancel:
    async def test_a_claim_is_reversed_and_gives_its_units_back_once(
        self, ref: ReferenceData
    ) -> None:
        store, ports, request_id = await paid(ref)
        assert store.authorizations["pa-1"][0].status is PaStatus.CONSUMED
        done = await cancel_claim(PHARMACY, request_id, ports=ports)
        assert done is Cancelled.REVERSED
        assert [e.kind for e in store.ledger] == [EntryKind.CLAIM, EntryKind.REVERSAL]
        pa, version = store.authorizations["pa-1"]
        assert (pa.status, pa.left(1).quantity_left, pa.uses, version) == (  # type: ignore[union-attr]
            PaStatus.GRANTED, 1, (), 3,
        )  # fmt: skip
        assert "claim.give-back-authorization" in store.actions()
        again = await cancel_claim(PHARMACY, request_id, ports=ports)
        assert again is Cancelled.ALREADY and len(store.ledger) == 2
        assert store.authorizations["pa-1"][1] == 3  # nothing given back twice
        record = claim_of(store, "F-1")
        assert await claim_state(PHARMACY, record, ports=ports) == "cancelled"
        assert (await bill(ports, ref, request("F-2")))[1] == "accepted"  # the units serve again

    async def test_a_prise_en_charge_changed_meanwhile_is_read_again(
        self, ref: ReferenceData
    ) -> None:
        store, ports, request_id = await paid(ref, boxes=1)

        def another_change() -> None:
            pa, version = store.authorizations["pa-1"]
            store.authorizations["pa-1"] = (pa, version + 1)

        store.before_record = once(another_change)
        assert await cancel_claim(PHARMACY, request_id, ports=ports) is Cancelled.REVERSED
        assert [e.kind for e in store.ledger] == [EntryKind.CLAIM, EntryKind.REVERSAL]
        pa, version = store.authorizations["pa-1"]
        assert (pa.left(1).quantity_left, version) == (1, 4)  # type: ignore[union-attr]

    async def test_a_cancel_beaten_by_another_does_nothing(self, ref: ReferenceData) -> None:
        store, ports, request_id = await paid(ref)
        accepted = store.ledger[0]

        def concurrent_cancel() -> None:
            store.ledger.append(ledger.reversal(accepted, at=NOW))

        store.before_record = once(concurrent_cancel)
        assert await cancel_claim(PHARMACY, request_id, ports=ports) is Cancelled.ALREADY
        assert len(store.ledger) == 2 and store.authorizations["pa-1"][1] == 2

    async def test_a_settled_claim_is_not_cancelled(self, ref: ReferenceData) -> None:
        store, ports, request_id = await paid(ref)
        settle(store)
        with pytest.raises(AlreadySettled):
            await cancel_claim(PHARMACY, request_id, ports=ports)
        assert len(store.ledger) == 2 and store.authorizations["pa-1"][1] == 2

    async def test_nothing_payable_is_nothing_to_undo_and_another_s_is_not_found(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        await bill(ports, ref, request(who=NOBODY))
        record = claim_of(store, "F-1")
        request_id = record.request_id
        assert await cancel_claim(PHARMACY, request_id, ports=ports) is Cancelled.NOTHING
        assert store.ledger == []
        with pytest.raises(NotFound):
            await cancel_claim(OTHER, request_id, ports=ports)
        assert await claim_state(PHARMACY, record, ports=ports) == "not-payable"


class TestCorrection:
    async def test_the_old_claim_is_reversed_and_its_units_serve_the_correction(
        self, ref: ReferenceData
    ) -> None:
        store, ports, request_id = await paid(ref)
        first = store.ledger[0].postings[0].amount
        outcome = await decided(ports, ref, request("F-1b", related="F-1"))
        assert outcome.adjudication.lines[0].benefit == first  # the same box, paid again
        assert outcome.corrects is not None
        assert (outcome.corrects.claim_id, outcome.corrects.request_id) == ("F-1", request_id)
        assert [e.id for e in store.ledger] == [
            "claim:pharmacy-1:F-1", "reversal:claim:pharmacy-1:F-1", "claim:pharmacy-1:F-1b",
        ]  # fmt: skip
        assert store.ledger[1].at == store.ledger[2].at  # one write
        assert payable(store) == first  # once, not twice
        pa, version = store.authorizations["pa-1"]
        assert (pa.status, pa.uses, version) == (
            PaStatus.CONSUMED, (Use("F-1b", 1, 1, Money.mad("15200")),), 3,
        )  # fmt: skip
        old, new = claim_of(store, "F-1"), claim_of(store, "F-1b")
        assert await claim_state(PHARMACY, old, ports=ports) == "corrected"
        assert await claim_state(PHARMACY, new, ports=ports) == "payable"

    async def test_the_old_claim_may_be_named_by_its_claim_id(self, ref: ReferenceData) -> None:
        store, ports, request_id = await paid(ref)
        named = f"https://gateway.example/fhir/Claim/{request_id}"
        outcome = await decided(ports, ref, request("F-1b", related=named))
        assert outcome.corrects is not None and outcome.corrects.claim_id == "F-1"
        assert outcome.adjudication.lines[0].status.value == "accepted"
        old = claim_of(store, "F-1")
        assert await claim_state(PHARMACY, old, ports=ports) == "corrected"

    async def test_a_correction_citing_no_authorization_still_gives_the_units_back(
        self, ref: ReferenceData
    ) -> None:
        store, ports, _ = await paid(ref)
        plain = ClaimRequest((IDCS,), "F-1b", ClaimUse.CLAIM, "ambulatory", (INSULIN,), CARE,
                             related_claim="F-1")  # fmt: skip
        await decided(ports, ref, plain)
        pa, _ = store.authorizations["pa-1"]
        assert (pa.status, pa.left(1).quantity_left, pa.uses) == (PaStatus.GRANTED, 1, ())  # type: ignore[union-attr]

    async def test_a_correction_for_a_patient_not_covered_reverses_and_pays_nothing(
        self, ref: ReferenceData
    ) -> None:
        store, ports, _ = await paid(ref)
        outcome = await decided(ports, ref, request("F-1b", who=NOBODY, related="F-1"))
        assert outcome.adjudication.payable == Money(0)
        assert [e.kind for e in store.ledger] == [EntryKind.CLAIM, EntryKind.REVERSAL]
        assert payable(store) == Money(0)
        assert store.authorizations["pa-1"][0].status is PaStatus.GRANTED

    async def test_a_second_correction_of_the_same_claim_is_refused(
        self, ref: ReferenceData
    ) -> None:
        store, ports, _ = await paid(ref)
        await bill(ports, ref, request("F-1b", related="F-1"))
        with pytest.raises(AlreadyReversed):
            await bill(ports, ref, request("F-1c", related="F-1"))
        with pytest.raises(AlreadyRecorded):  # the correction itself sent again
            await bill(ports, ref, request("F-1b", related="F-1"))
        assert len(store.ledger) == 3 and store.authorizations["pa-1"][1] == 3

    async def test_a_cancelled_claim_is_not_corrected(self, ref: ReferenceData) -> None:
        store, ports, request_id = await paid(ref)
        await cancel_claim(PHARMACY, request_id, ports=ports)
        with pytest.raises(AlreadyReversed):
            await bill(ports, ref, request("F-1b", related="F-1"))
        assert len(store.ledger) == 2

    async def test_a_settled_claim_is_not_corrected(self, ref: ReferenceData) -> None:
        store, ports, _ = await paid(ref)
        settle(store)
        with pytest.raises(AlreadySettled):
            await bill(ports, ref, request("F-1b", related="F-1"))
        assert len(store.ledger) == 2 and store.authorizations["pa-1"][1] == 2

    async def test_an_unknown_or_another_provider_s_claim_is_not_corrected(
        self, ref: ReferenceData
    ) -> None:
        store, ports, request_id = await paid(ref)
        for related in ("F-9", "Claim/nope"):
            with pytest.raises(CorrectedClaimUnknown):
                await bill(ports, ref, request("F-1b", related=related))
        for related in ("F-1", f"Claim/{request_id}"):
            with pytest.raises(CorrectedClaimUnknown):
                await bill(ports, ref, request("G-1", related=related), who=OTHER)
        assert len(store.ledger) == 1 and store.authorizations["pa-1"][1] == 2

    async def test_a_claim_nothing_was_paid_for_is_not_corrected(self, ref: ReferenceData) -> None:
        store, ports = world()
        await bill(ports, ref, request("F-1", who=NOBODY))
        with pytest.raises(CorrectedClaimUnknown):
            await bill(ports, ref, request("F-1b", related="F-1"))
        assert store.ledger == []

    async def test_a_claim_does_not_correct_itself(self, ref: ReferenceData) -> None:
        store, ports = world()
        with pytest.raises(InvalidRequest) as refused:
            await bill(ports, ref, request("F-9", related="F-9"))
        assert refused.value.code == "correction-meme-identifiant" and store.ledger == []

    async def test_a_counter_check_corrects_nothing(self, ref: ReferenceData) -> None:
        store, ports, _ = await paid(ref, boxes=2)
        check = request("CHK", use=ClaimUse.PREDETERMINATION, related="F-1")
        outcome = await decided(ports, ref, check)
        assert outcome.corrects is None and len(store.ledger) == 1

    async def test_what_the_old_claim_gave_back_is_decided_from_the_new_state(
        self, ref: ReferenceData
    ) -> None:
        store, ports, _ = await paid(ref)

        def another_change() -> None:  # the prise en charge moves on before the write
            pa, version = store.authorizations["pa-1"]
            store.authorizations["pa-1"] = (pa, version + 1)

        store.before_record = once(another_change)
        outcome = await decided(ports, ref, request("F-1b", related="F-1"))
        assert outcome.adjudication.lines[0].status.value == "accepted"
        pa, version = store.authorizations["pa-1"]
        assert version == 4 and give_back_claim(pa, "F-1") is pa  # nothing of F-1's left
        assert len(store.ledger) == 3


class TestWhatAProviderReads:
    async def test_a_cancel_is_audited_with_the_claim_it_withdraws(
        self, ref: ReferenceData
    ) -> None:
        store, ports, request_id = await paid(ref)
        await cancel_claim(PHARMACY, request_id, ports=ports)
        cancel = next(e for e in store.audit if e.action == "claim.cancel")
        assert (cancel.at, cancel.outcome, cancel.tenant, cancel.client_id, cancel.resource) == (
            NOW, 200, "pharmacy-1", "client-1", f"Claim/{request_id}",
        )  # fmt: skip
        give_back = next(e for e in store.audit if e.action == "claim.give-back-authorization")
        assert give_back.at == NOW and store.ledger[1].at == NOW

    async def test_a_cancel_read_again_too_often_gives_up(self, ref: ReferenceData) -> None:
        store, ports, request_id = await paid(ref)
        attempts: list[int] = []

        def always_another_change() -> None:
            attempts.append(1)
            pa, version = store.authorizations["pa-1"]
            store.authorizations["pa-1"] = (pa, version + 1)

        store.before_record = always_another_change
        with pytest.raises(StaleState):
            await cancel_claim(PHARMACY, request_id, ports=ports)
        assert len(attempts) == DECISIONS_AT_MOST and len(store.ledger) == 1

    async def test_only_the_provider_s_own_cited_prises_en_charge_are_given_back(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store)
        pa, version = store.authorizations["pa-1"]
        store.authorizations["pa-0"] = (replace(pa, id="pa-0", tenant="pharmacy-2"), version)
        lines = (line(), replace(line(pa="pa-0"), sequence=2),
                 replace(line(pa="pa-00"), sequence=3))  # fmt: skip
        await bill(ports, ref, request("F-1", *lines))
        assert [u.claim for u in store.authorizations["pa-1"][0].uses] == ["F-1"]
        request_id = claim_of(store, "F-1").request_id
        assert await cancel_claim(PHARMACY, request_id, ports=ports) is Cancelled.REVERSED
        assert store.authorizations["pa-1"][0].uses == ()
        assert store.authorizations["pa-0"] == (replace(pa, id="pa-0", tenant="pharmacy-2"), 1)

    async def test_each_refusal_names_the_claim_and_where_it_is_cited(
        self, ref: ReferenceData
    ) -> None:
        _, ports, _ = await paid(ref)
        long_id = "F-" + "9" * 70
        with pytest.raises(CorrectedClaimUnknown) as unknown:
            await bill(ports, ref, request("F-1b", related=long_id))
        assert unknown.value.detail == (
            f"Aucune demande {long_id[:64]} de ce prestataire n'a été rendue payable : une "
            "demande dont rien n'était dû se dépose à nouveau, sans Claim.related"
        )
        with pytest.raises(InvalidRequest) as itself:
            await bill(ports, ref, request(long_id, related=long_id))
        assert itself.value.detail == (
            f"La demande {long_id[:64]} ne peut se corriger elle-même : une correction porte "
            "son propre identifiant"
        )
        await bill(ports, ref, request("F-1b", related="F-1"))
        with pytest.raises(AlreadyReversed) as reversed_:
            await bill(ports, ref, request("F-1c", related="F-1"))
        assert reversed_.value.detail == "La demande F-1 est déjà annulée ou corrigée"
        for refusal in (unknown, itself, reversed_):
            assert refusal.value.expression == "Claim.related"
