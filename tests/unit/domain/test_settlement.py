"""Settlement cycles: due claims grouped per provider, ids derived from what is paid, and
the invariants of the ledger (ARCHITECTURE.md, "Settlement")."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.bank_accounts import Rib, parse_rib
from domain.ledger import Entry, EntryKind, Posting, claim_accepted, payment, rejection, reversal
from domain.money import Money
from domain.settlement import (
    OutOfOrder,
    Payable,
    batch_id,
    end_to_end_id,
    group_transfers,
    is_due,
)
from domain.settlement_invariants import check, check_accounts, file_matches

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
RIB = parse_rib("011519000001205000534921")


def due(provider: str, claim: str, mad: str = "100", on: date | None = None) -> Payable:
    return Payable(f"{provider}:{claim}", "CNSS", provider, Money.mad(mad), on)


def account(provider: str) -> Rib | None:
    return None if provider.startswith("NOACC") else RIB


class TestGroupTransfers:
    def test_one_transfer_per_provider(self) -> None:
        payables = [due("P1", "a"), due("P1", "b", "50"), due("P2", "c")]
        transfers = list(group_transfers("B", "CNSS", payables, account))
        assert [(t.provider, t.amount) for t in transfers] == [
            ("P1", Money.mad("150")),
            ("P2", Money.mad("100")),
        ]
        assert transfers[0].iban == RIB.iban and transfers[0].batch == "B"

    def test_provider_without_account_is_skipped(self) -> None:
        skipped: list[str] = []
        payables = [due("NOACC1", "a"), due("P2", "c")]
        transfers = list(group_transfers("B", "CNSS", payables, account, skipped.append))
        assert [t.provider for t in transfers] == ["P2"] and skipped == ["NOACC1"]

    def test_out_of_order_is_refused(self) -> None:
        with pytest.raises(OutOfOrder):
            list(group_transfers("B", "CNSS", [due("P2", "a"), due("P1", "b")], account))

    def test_a_claim_twice_is_refused(self) -> None:
        with pytest.raises(OutOfOrder):
            list(group_transfers("B", "CNSS", [due("P1", "a"), due("P1", "a")], account))

    def test_nothing_due_no_transfer(self) -> None:
        assert list(group_transfers("B", "CNSS", [], account)) == []


class TestIds:
    def test_end_to_end_id_is_deterministic(self) -> None:
        one = end_to_end_id("B", "CNSS", "P1", ["P1:a", "P1:b"])
        assert one == end_to_end_id("B", "CNSS", "P1", ["P1:a", "P1:b"])
        assert len(one) == 24 and one.isalnum()

    @pytest.mark.parametrize(
        "other",
        [
            ("B2", "CNSS", "P1", ["P1:a", "P1:b"]),
            ("B", "CNOPS", "P1", ["P1:a", "P1:b"]),
            ("B", "CNSS", "P2", ["P1:a", "P1:b"]),
            ("B", "CNSS", "P1", ["P1:a"]),
            ("B", "CNSS", "P1", ["P1:ab"]),
        ],
    )
    def test_end_to_end_id_changes_with_what_is_paid(
        self, other: tuple[str, str, str, list[str]]
    ) -> None:
        assert end_to_end_id(*other) != end_to_end_id("B", "CNSS", "P1", ["P1:a", "P1:b"])

    def test_batch_id(self) -> None:
        assert batch_id("CNSS", date(2026, 11, 30), 2) == "CNSS-20261130-02"

    def test_due_on_the_cycle_date_is_paid(self) -> None:
        cycle = date(2026, 11, 30)
        assert is_due(due("P", "a", on=cycle), cycle)
        assert is_due(due("P", "a", on=None), cycle)
        assert not is_due(due("P", "a", on=date(2026, 12, 1)), cycle)


def accepted(claim: str, mad: str = "100", provider: str = "P1") -> Entry:
    entry = claim_accepted(
        f"{provider}:{claim}", payer="CNSS", provider=provider, benefit=Money.mad(mad), at=AT
    )
    assert entry is not None
    return entry


def paid(pid: str, *claims: str, mad: str = "100", provider: str = "P1") -> Entry:
    sources = tuple(f"{provider}:{c}" for c in claims)
    return payment(
        pid, payer="CNSS", provider=provider, claims=sources, amount=Money.mad(mad), at=AT
    )


class TestInvariants:
    def test_a_settled_ledger_holds(self) -> None:
        pay = paid("T1", "a", "b", mad="150")
        entries = [accepted("a"), accepted("b", "50"), pay]
        assert check(entries) == []

    def test_paid_twice(self) -> None:
        entries = [accepted("a"), paid("T1", "a"), paid("T2", "a")]
        problems = check(entries)
        assert any("payée 2 fois" in p for p in problems)
        assert any("sous zéro" in p for p in problems)

    def test_rejected_payment_then_paid_again_holds(self) -> None:
        first = paid("T1", "a")
        entries = [accepted("a"), first, rejection(first, at=AT), paid("T2", "a")]
        assert check(entries) == []

    def test_payment_of_an_unknown_claim(self) -> None:
        assert any("inconnue" in p for p in check([accepted("a"), paid("T1", "zz")]))

    def test_payment_of_another_providers_claim(self) -> None:
        entries = [accepted("a", provider="P2"), paid("T1", "a", provider="P1")]
        assert check(entries)

    def test_payment_of_the_wrong_amount(self) -> None:
        entries = [accepted("a", "100"), accepted("b", "100"), paid("T1", "a", mad="90")]
        assert any("ses demandes" in p for p in check(entries))

    def test_payment_of_a_reversed_claim(self) -> None:
        claim = accepted("a")
        entries = [claim, reversal(claim, at=AT), paid("T1", "a")]
        assert any("annulée" in p for p in check(entries))

    def test_unbalanced_whole(self) -> None:
        odd = Entry.__new__(Entry)
        object.__setattr__(odd, "id", "x")
        object.__setattr__(odd, "kind", EntryKind.CLAIM)
        object.__setattr__(odd, "source", "P1:x")
        object.__setattr__(odd, "postings", (Posting("payable:CNSS:P1", Money(-5)),))
        assert any("débits et crédits" in p for p in check([odd]))

    def test_account_by_account_finds_what_the_whole_finds(self) -> None:
        p1 = [accepted("a"), paid("T1", "a")]
        p2 = [accepted("b", provider="P2"), paid("T2", "b", provider="P2")]
        assert check_accounts([("payable:CNSS:P1", p1), ("payable:CNSS:P2", p2)]) == []
        twice = [*p1, paid("T3", "a")]
        assert any("payée 2 fois" in p for p in check_accounts([("payable:CNSS:P1", twice)]))

    def test_file_totals(self) -> None:
        payments = [paid("T1", "a"), paid("T2", "b", mad="50")]
        assert file_matches(2, Money.mad("150"), payments) == []
        assert len(file_matches(3, Money.mad("151"), payments)) == 2
