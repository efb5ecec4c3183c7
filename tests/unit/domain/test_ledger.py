"""The ledger (ARCHITECTURE.md, "State": double entry; a claim is payable once; an entry's id
is derived from what it records, so a retry cannot pay twice)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.ledger import (
    AlreadySettled,
    Entry,
    EntryKind,
    Posting,
    Unbalanced,
    balance,
    bank,
    benefits,
    claim_accepted,
    payable,
    payment,
    reversal,
)
from domain.money import ZERO, Money

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
LATER = datetime(2026, 3, 20, 9, tzinfo=UTC)
COSTLY = Money.mad("14700")  # a 15,000 MAD costly drug at 98 % (CNSS)


def accepted(claim: str = "c-1", benefit: Money = COSTLY) -> Entry:
    entry = claim_accepted(claim, payer="CNSS", provider="pharmacy-1", benefit=benefit, at=AT)
    assert entry is not None
    return entry


class TestClaimAccepted:
    def test_the_benefit_becomes_payable_to_the_provider(self) -> None:
        entry = accepted()
        assert (entry.id, entry.kind, entry.source, entry.at) == (
            "claim:c-1", EntryKind.CLAIM, "c-1", AT,
        )  # fmt: skip
        assert balance([entry], payable("CNSS", "pharmacy-1")) == -COSTLY  # a credit: owed
        assert balance([entry], benefits("CNSS")) == COSTLY
        assert payable("CNSS", "pharmacy-1") == "payable:CNSS:pharmacy-1"
        assert (benefits("CNSS"), bank("CNSS")) == ("benefits:CNSS", "bank:CNSS")

    def test_the_same_claim_always_gives_the_same_entry_id(self) -> None:
        assert accepted().id == accepted().id  # a retried claim: the store refuses the twin
        assert accepted("c-2").id != accepted().id

    def test_nothing_payable_is_no_entry_and_a_negative_benefit_is_refused(self) -> None:
        free = claim_accepted("c-1", payer="CNSS", provider="p", benefit=ZERO, at=AT)
        assert free is None
        assert accepted(benefit=Money(1)).postings[0].amount == Money(1)
        with pytest.raises(Unbalanced, match="Prestation négative pour la demande c-1"):
            claim_accepted("c-1", payer="CNSS", provider="p", benefit=Money(-1), at=AT)


class TestReversal:
    def test_a_cancelled_claim_is_undone_by_its_negation_once(self) -> None:
        undone = reversal(accepted(), at=LATER)
        assert (undone.id, undone.kind, undone.source, undone.at) == (
            "reversal:claim:c-1", EntryKind.REVERSAL, "c-1", LATER,
        )  # fmt: skip
        both = [accepted(), undone]
        assert balance(both, payable("CNSS", "pharmacy-1")) == ZERO
        assert balance(both, benefits("CNSS")) == ZERO

    def test_a_settled_claim_is_not_cancelled(self) -> None:
        paid = payment("v-1", payer="CNSS", provider="pharmacy-1", claims=("c-0", "c-1"),
                       amount=COSTLY, at=LATER)  # fmt: skip
        with pytest.raises(AlreadySettled, match="La demande c-1 est déjà réglée au prestataire"):
            reversal(accepted(), at=LATER, settled=[paid])
        other = payment("v-2", payer="CNSS", provider="pharmacy-1", claims=("c-10",),
                        amount=COSTLY, at=LATER)  # fmt: skip
        assert reversal(accepted(), at=LATER, settled=[other]).kind is EntryKind.REVERSAL
        not_a_payment = reversal(accepted("c-9"), at=LATER)
        assert reversal(accepted(), at=LATER, settled=[not_a_payment]).kind is EntryKind.REVERSAL

    def test_only_an_accepted_claim_is_reversed_so(self) -> None:
        with pytest.raises(Unbalanced, match="Seule une demande acceptée s'annule ainsi"):
            reversal(reversal(accepted(), at=LATER), at=LATER)


class TestPayment:
    def test_a_transfer_settles_what_was_payable(self) -> None:
        paid = payment("v-1", payer="CNSS", provider="pharmacy-1", claims=("c-1",),
                       amount=COSTLY, at=LATER)  # fmt: skip
        assert (paid.id, paid.kind, paid.source, paid.at) == (
            "payment:v-1", EntryKind.PAYMENT, "c-1", LATER,
        )  # fmt: skip
        ledger = [accepted(), paid]
        assert balance(ledger, payable("CNSS", "pharmacy-1")) == ZERO
        assert balance(ledger, bank("CNSS")) == -COSTLY

    @pytest.mark.parametrize(
        ("amount", "said"), [(ZERO, "ne porte aucun montant"), (Money(-1), "montant négatif")]
    )
    def test_a_transfer_moves_money(self, amount: Money, said: str) -> None:
        with pytest.raises(Unbalanced, match=said):
            payment("v-1", payer="CNSS", provider="p", claims=("c-1",), amount=amount, at=AT)


class TestBalanced:
    def test_an_entry_must_add_up_to_zero_and_move_something(self) -> None:
        with pytest.raises(Unbalanced, match="L'écriture x n'est pas équilibrée"):
            Entry("x", EntryKind.CLAIM, AT, (Posting("a", Money(1)), Posting("b", Money(-2))), "c")
        with pytest.raises(Unbalanced, match="L'écriture x ne porte aucun montant"):
            Entry("x", EntryKind.CLAIM, AT, (), "c")
        with pytest.raises(Unbalanced):
            Entry("x", EntryKind.CLAIM, AT, (Posting("a", ZERO), Posting("b", ZERO)), "c")
        postings = (Posting("a", Money(1)), Posting("b", Money(-1)), Posting("c", ZERO))
        moved = Entry("x", EntryKind.CLAIM, AT, postings, "c")
        assert balance([moved], "a") == Money(1)
