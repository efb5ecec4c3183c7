"""A counter check holds part of a granted line for the claim that follows it, for a while:
nobody else uses it meanwhile, and past its time it holds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.money import Money
from domain.prior_auth import (
    Granted,
    NotEnoughLeft,
    Reservation,
    TransitionRefused,
    consume,
    grant,
    release,
    reserve,
)
from tests.unit.domain.test_prior_auth import ASKED, FROM, UNTIL, granted_whole, requested


class TestReservations:
    """A counter check holds part of a line for the claim that follows it, for a while."""

    SOON = ASKED + timedelta(minutes=15)

    def hold(self, rid: str = "r-1", quantity: int = 1, amount: str = "5000") -> Reservation:
        return Reservation(rid, 1, quantity, Money.mad(amount), self.SOON)

    def test_what_one_holds_is_not_there_for_another(self) -> None:
        pa = reserve(granted_whole(), self.hold(quantity=2, amount="10000"), day=FROM, now=ASKED)
        with pytest.raises(NotEnoughLeft):
            reserve(pa, self.hold("r-2", quantity=2), day=FROM, now=ASKED)
        with pytest.raises(NotEnoughLeft):
            consume(pa, 1, 2, Money.mad("1"), day=FROM, now=ASKED)
        assert (
            reserve(pa, self.hold("r-2", amount="5000"), day=FROM, now=ASKED).reservations[1].id
            == "r-2"
        )
        rest = consume(pa, 1, 1, Money.mad("5000"), day=FROM, now=ASKED)
        assert rest.left(1) == Granted(1, 3, Money.mad("15000"), 2, Money.mad("10000"))

    def test_an_amount_held_counts_as_much_as_a_quantity(self) -> None:
        pa = reserve(granted_whole(), self.hold(quantity=0, amount="15000"), day=FROM, now=ASKED)
        with pytest.raises(NotEnoughLeft):
            consume(pa, 1, 0, Money.mad("0.01"), day=FROM, now=ASKED)

    def test_the_claim_that_follows_uses_its_reservation_and_frees_the_rest(self) -> None:
        pa = reserve(granted_whole(), self.hold(quantity=3, amount="15000"), day=FROM, now=ASKED)
        used = consume(pa, 1, 2, Money.mad("10000"), day=FROM, now=ASKED, reservation="r-1")
        assert used.reservations == ()
        assert used.left(1) == Granted(1, 3, Money.mad("15000"), 1, Money.mad("5000"))
        again = consume(used, 1, 1, Money.mad("5000"), day=FROM, now=ASKED)
        assert again.left(1) == Granted(1, 3, Money.mad("15000"), 0, Money(0))

    def test_a_reservation_past_its_time_holds_nothing(self) -> None:
        pa = reserve(granted_whole(), self.hold(quantity=3, amount="15000"), day=FROM, now=ASKED)
        with pytest.raises(NotEnoughLeft):
            consume(pa, 1, 1, Money(1), day=FROM, now=self.SOON - timedelta(seconds=1))
        used = consume(pa, 1, 1, Money(1), day=FROM, now=self.SOON)
        assert used.reservations == ()  # forgotten once past
        with pytest.raises(TransitionRefused):
            consume(pa, 1, 1, Money(1), day=FROM, now=self.SOON, reservation="r-1")

    def test_a_claim_naming_another_line_s_or_an_unknown_reservation_is_refused(self) -> None:
        pa = reserve(granted_whole(), self.hold(), day=FROM, now=ASKED)
        for rid, sequence in (("r-9", 1), ("r-1", 2)):
            with pytest.raises(TransitionRefused):
                consume(pa, sequence, 1, Money(1), day=FROM, now=ASKED, reservation=rid)

    def test_the_same_reservation_asked_twice_holds_once(self) -> None:
        pa = reserve(granted_whole(), self.hold(quantity=2, amount="10000"), day=FROM, now=ASKED)
        assert reserve(pa, self.hold(quantity=2, amount="10000"), day=FROM, now=ASKED) is pa

    def test_a_reservation_needs_a_usable_grant_a_valid_day_and_a_future_end(self) -> None:
        with pytest.raises(TransitionRefused):
            reserve(requested(), self.hold(), day=FROM, now=ASKED)
        with pytest.raises(TransitionRefused):
            reserve(granted_whole(), self.hold(), day=UNTIL + timedelta(days=1), now=ASKED)
        with pytest.raises(TransitionRefused):
            reserve(granted_whole(), self.hold(), day=FROM, now=self.SOON)
        with pytest.raises(TransitionRefused):
            reserve(granted_whole(), self.hold(quantity=-1), day=FROM, now=ASKED)
        with pytest.raises(NotEnoughLeft):
            reserve(granted_whole(), self.hold(quantity=4), day=FROM, now=ASKED)
        with pytest.raises(NotEnoughLeft):
            reserve(granted_whole(), self.hold(amount="15000.01"), day=FROM, now=ASKED)
        with pytest.raises(NotEnoughLeft):
            reserve(grant(requested(), {1: (3, Money.mad("15000"))}, valid_from=FROM,
                          valid_until=UNTIL, at=ASKED), Reservation("r", 2, 1, Money(1), self.SOON),
                    day=FROM, now=ASKED)  # fmt: skip

    def test_the_whole_line_may_be_held_and_released(self) -> None:
        pa = reserve(granted_whole(), self.hold(quantity=3, amount="15000"), day=FROM, now=ASKED)
        assert release(pa, "r-1").reservations == ()
        assert release(pa, "r-9") == pa
        late = Reservation("r-2", 1, 0, Money(0), self.SOON + timedelta(minutes=15))
        later = reserve(pa, late, day=FROM, now=self.SOON)
        assert [r.id for r in later.reservations] == ["r-2"]  # the past one is forgotten
