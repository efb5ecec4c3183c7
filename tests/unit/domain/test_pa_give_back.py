"""A claim cancelled or corrected gives back what it used of a prise en charge: exactly that,
never more, and once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.money import Money
from domain.prior_auth import (
    Granted,
    PaStatus,
    PriorAuthorization,
    TransitionRefused,
    Use,
    cancel,
    consume,
    expire,
    give_back,
    give_back_claim,
    grant,
)
from tests.unit.domain.test_prior_auth import ASKED, DRUG, FROM, UNTIL, granted_whole, requested


def used(pa: PriorAuthorization, claim: str, quantity: int, amount: str) -> PriorAuthorization:
    """The drug line (3 boxes, 15,000 MAD granted) used by a claim."""
    return consume(pa, 1, quantity, Money.mad(amount), day=FROM, now=ASKED, claim=claim)


def drug_only() -> PriorAuthorization:
    """Only the drug asked, granted whole: three boxes use it up."""
    return granted_whole(requested(DRUG))


class TestUses:
    def test_each_claim_s_use_is_kept_under_its_name(self) -> None:
        pa = used(used(granted_whole(), "F-1", 1, "5000"), "F-2", 2, "10000")
        assert pa.uses == (
            Use("F-1", 1, 1, Money.mad("5000")),
            Use("F-2", 1, 2, Money.mad("10000")),
        )

    def test_a_use_naming_no_claim_is_not_kept(self) -> None:
        pa = consume(granted_whole(), 1, 1, Money.mad("5000"), day=FROM, now=ASKED)
        assert pa.uses == ()


class TestGiveBack:
    def test_what_was_used_comes_back_exactly(self) -> None:
        pa = used(drug_only(), "F-1", 3, "15000")
        assert pa.status is PaStatus.CONSUMED
        back = give_back(pa, 1, 3, Money.mad("15000"))
        assert back.left(1) == Granted(1, 3, Money.mad("15000"), 3, Money.mad("15000"))
        assert back.status is PaStatus.GRANTED

    def test_one_unit_or_one_centime_more_than_was_used_is_refused(self) -> None:
        pa = used(granted_whole(), "F-1", 1, "5000")
        assert give_back(pa, 1, 1, Money.mad("5000")).left(1).quantity_left == 3  # type: ignore[union-attr]
        with pytest.raises(TransitionRefused):
            give_back(pa, 1, 2, Money.mad("5000"))
        with pytest.raises(TransitionRefused):
            give_back(pa, 1, 1, Money.mad("5000.01"))

    def test_a_negative_give_back_or_a_line_never_granted_is_refused(self) -> None:
        pa = used(granted_whole(), "F-1", 1, "5000")
        with pytest.raises(TransitionRefused):
            give_back(pa, 1, -1, Money(0))
        with pytest.raises(TransitionRefused):
            give_back(pa, 1, 0, Money(-1))
        with pytest.raises(TransitionRefused):
            give_back(pa, 9, 1, Money(1))

    def test_a_partial_grant_used_up_is_partial_again(self) -> None:
        partial = grant(requested(DRUG), {1: (2, Money.mad("10000"))}, valid_from=FROM,
                        valid_until=UNTIL, at=ASKED)  # fmt: skip
        pa = used(partial, "F-1", 2, "10000")
        assert pa.status is PaStatus.CONSUMED
        assert give_back_claim(pa, "F-1").status is PaStatus.PARTIAL

    def test_an_amount_given_back_without_a_unit_leaves_it_used_up(self) -> None:
        pa = used(used(drug_only(), "F-2", 0, "5000"), "F-1", 3, "10000")
        assert pa.status is PaStatus.CONSUMED
        back = give_back_claim(pa, "F-2")
        assert back.status is PaStatus.CONSUMED and back.left(1).amount_left == Money.mad("5000")  # type: ignore[union-attr]

    def test_an_expired_or_cancelled_one_keeps_its_status(self) -> None:
        pa = used(granted_whole(), "F-1", 1, "5000")
        late = expire(pa, UNTIL + timedelta(days=1))
        assert give_back_claim(late, "F-1").status is PaStatus.EXPIRED
        withdrawn = cancel(pa, "annulation-prestataire")
        back = give_back_claim(withdrawn, "F-1")
        assert back.status is PaStatus.CANCELLED and back.left(1).quantity_left == 3  # type: ignore[union-attr]


class TestGiveBackClaim:
    def test_only_that_claim_s_uses_come_back_and_are_forgotten(self) -> None:
        pa = used(used(granted_whole(), "F-1", 1, "5000"), "F-2", 2, "10000")
        back = give_back_claim(pa, "F-2")
        assert back.left(1).quantity_left == 2  # type: ignore[union-attr]
        assert back.uses == (Use("F-1", 1, 1, Money.mad("5000")),)

    def test_a_claim_gives_back_once(self) -> None:
        pa = used(drug_only(), "F-1", 3, "15000")
        back = give_back_claim(pa, "F-1")
        assert give_back_claim(back, "F-1") is back

    def test_a_claim_that_used_nothing_changes_nothing(self) -> None:
        pa = used(granted_whole(), "F-1", 1, "5000")
        assert give_back_claim(pa, "F-9") is pa

    def test_what_is_given_back_can_be_used_again(self) -> None:
        pa = give_back_claim(used(drug_only(), "F-1", 3, "15000"), "F-1")
        again = used(pa, "F-2", 3, "15000")
        assert again.status is PaStatus.CONSUMED and again.uses == (
            Use("F-2", 1, 3, Money.mad("15000")),
        )
