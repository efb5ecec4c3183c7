"""The prior authorization's states and the only changes each allows, on their boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.money import Money
from domain.prior_auth import (
    Granted,
    NotEnoughLeft,
    PaLine,
    PaStatus,
    PriorAuthorization,
    Reservation,
    TransitionRefused,
    cancel,
    consume,
    expire,
    grant,
    information_given,
    refuse,
    request_information,
    reserve,
)

ASKED = datetime(2026, 3, 2, 9, tzinfo=UTC)
DEADLINE = ASKED + timedelta(hours=48)  # CNOPS answers a costly-drug PEC within 48 h
FROM, UNTIL = date(2026, 3, 2), date(2026, 4, 1)  # a CNSS costly-drug attestation: one month
DRUG = PaLine(1, "6111234567890", "costly-drug", 3, Money.mad("15000"))
SESSIONS = PaLine(2, "AMM", "physiotherapy", 20, Money.mad("1000"))


def requested(*lines: PaLine) -> PriorAuthorization:
    """A request for the given lines (both by default), as filed."""
    return PriorAuthorization(
        "pa-1", "prov-1", "CNSS", "costly-drug", lines or (DRUG, SESSIONS), ASKED, DEADLINE
    )


def granted_whole(pa: PriorAuthorization | None = None) -> PriorAuthorization:
    """Everything asked for, granted for the month."""
    pa = pa or requested()
    whole = {line.sequence: (line.quantity, line.amount) for line in pa.lines}
    return grant(pa, whole, valid_from=FROM, valid_until=UNTIL, at=ASKED)


class TestStatus:
    def test_pending_and_usable_states(self) -> None:
        assert {s for s in PaStatus if s.pending} == {PaStatus.REQUESTED, PaStatus.INFO_REQUESTED}
        assert {s for s in PaStatus if s.usable} == {PaStatus.GRANTED, PaStatus.PARTIAL}

    def test_overdue_only_strictly_past_the_deadline_and_while_pending(self) -> None:
        pa = requested()
        assert not pa.overdue(DEADLINE)
        assert pa.overdue(DEADLINE + timedelta(seconds=1))
        asked_more = request_information(pa, "piece-manquante")
        assert asked_more.overdue(DEADLINE + timedelta(seconds=1))
        assert not granted_whole().overdue(DEADLINE + timedelta(days=1))


class TestPatient:
    def test_it_is_for_the_patient_of_its_key_only(self) -> None:
        pa = replace(granted_whole(), patient="key-a")
        assert pa.for_patient("key-a")
        assert not pa.for_patient("key-b") and not pa.for_patient("")

    def test_one_recorded_without_a_key_is_for_no_one(self) -> None:
        assert granted_whole().patient == ""  # as states written before keys read
        assert not granted_whole().for_patient("")


class TestInformation:
    def test_a_request_for_information_and_its_answer(self) -> None:
        asked = request_information(requested(), "piece-manquante")
        assert (asked.status, asked.reasons) == (PaStatus.INFO_REQUESTED, ("piece-manquante",))
        assert information_given(asked).status is PaStatus.REQUESTED

    def test_no_answer_without_a_question(self) -> None:
        with pytest.raises(TransitionRefused):
            information_given(requested())

    def test_no_question_once_decided(self) -> None:
        with pytest.raises(TransitionRefused):
            request_information(granted_whole(), "piece-manquante")


class TestGrant:
    def test_everything_asked_is_a_grant(self) -> None:
        pa = granted_whole()
        assert pa.status is PaStatus.GRANTED
        assert (pa.valid_from, pa.valid_until, pa.decided_at) == (FROM, UNTIL, ASKED)
        assert pa.left(1) == Granted(1, 3, Money.mad("15000"), 3, Money.mad("15000"))

    def test_less_quantity_is_partial(self) -> None:
        pa = grant(requested(DRUG), {1: (2, Money.mad("15000"))}, valid_from=FROM,
                   valid_until=UNTIL, at=ASKED)  # fmt: skip
        assert pa.status is PaStatus.PARTIAL

    def test_less_amount_is_partial(self) -> None:
        pa = grant(requested(DRUG), {1: (3, Money.mad("14999.99"))}, valid_from=FROM,
                   valid_until=UNTIL, at=ASKED)  # fmt: skip
        assert pa.status is PaStatus.PARTIAL

    def test_fewer_lines_is_partial(self) -> None:
        pa = grant(requested(), {1: (3, Money.mad("15000"))}, valid_from=FROM,
                   valid_until=UNTIL, at=ASKED)  # fmt: skip
        assert pa.status is PaStatus.PARTIAL and pa.left(2) is None

    def test_a_grant_after_information_is_allowed(self) -> None:
        asked = request_information(requested(DRUG), "piece-manquante")
        assert granted_whole(asked).status is PaStatus.GRANTED

    @pytest.mark.parametrize(
        "line",
        [(4, Money.mad("15000")), (3, Money.mad("15000.01")), (-1, Money.mad("1")),
         (1, Money(-1))],
    )  # fmt: skip
    def test_never_more_than_asked_nor_negative(self, line: tuple[int, Money]) -> None:
        with pytest.raises(TransitionRefused):
            grant(requested(DRUG), {1: line}, valid_from=FROM, valid_until=UNTIL, at=ASKED)

    def test_a_grant_of_nothing_is_a_refusal_not_a_grant(self) -> None:
        with pytest.raises(TransitionRefused):
            grant(requested(DRUG), {1: (0, Money(0))}, valid_from=FROM, valid_until=UNTIL,
                  at=ASKED)  # fmt: skip

    def test_unknown_lines_are_refused(self) -> None:
        with pytest.raises(TransitionRefused, match=r"\[9\]"):
            grant(requested(DRUG), {9: (1, Money(1))}, valid_from=FROM, valid_until=UNTIL,
                  at=ASKED)  # fmt: skip

    def test_validity_ending_before_it_starts_is_refused(self) -> None:
        whole = {1: (3, Money.mad("15000"))}
        with pytest.raises(TransitionRefused):
            grant(requested(DRUG), whole, valid_from=UNTIL, valid_until=FROM, at=ASKED)
        one_day = grant(requested(DRUG), whole, valid_from=FROM, valid_until=FROM, at=ASKED)
        assert one_day.valid_until == FROM

    def test_twice_is_refused(self) -> None:
        with pytest.raises(TransitionRefused):
            granted_whole(granted_whole())

    def test_a_provisional_grant_says_so(self) -> None:
        whole = {1: (3, Money.mad("15000"))}
        pa = grant(requested(DRUG), whole, valid_from=FROM, valid_until=UNTIL, at=ASKED,
                   reason="admission-urgente", provisional=True)  # fmt: skip
        assert pa.provisional and pa.reasons == ("admission-urgente",)


class TestRefuseAndCancel:
    def test_a_refusal_keeps_its_reason(self) -> None:
        pa = refuse(requested(), "hors-liste", at=ASKED)
        assert (pa.status, pa.reasons, pa.decided_at) == (PaStatus.REFUSED, ("hors-liste",), ASKED)

    def test_a_decided_request_cannot_be_refused(self) -> None:
        with pytest.raises(TransitionRefused):
            refuse(granted_whole(), "hors-liste", at=ASKED)

    @pytest.mark.parametrize("state", ["requested", "info", "granted"])
    def test_cancel_from_pending_or_usable(self, state: str) -> None:
        pa = {
            "requested": requested(),
            "info": request_information(requested(), "x"),
            "granted": granted_whole(),
        }[state]
        assert cancel(pa, "annulation").status is PaStatus.CANCELLED

    def test_nothing_is_consumed_once_cancelled(self) -> None:
        pa = cancel(granted_whole(), "annulation")
        with pytest.raises(TransitionRefused):
            consume(pa, 1, 1, Money(1), day=FROM, now=ASKED)

    def test_a_refused_or_consumed_one_is_not_cancelled(self) -> None:
        with pytest.raises(TransitionRefused):
            cancel(refuse(requested(), "x", at=ASKED), "annulation")


class TestExpire:
    def test_usable_through_its_last_day_expired_the_next(self) -> None:
        pa = granted_whole()
        assert expire(pa, UNTIL) is pa
        assert expire(pa, UNTIL + timedelta(days=1)).status is PaStatus.EXPIRED

    def test_only_usable_ones_expire(self) -> None:
        pa = requested()
        assert expire(pa, UNTIL + timedelta(days=400)) is pa


class TestConsume:
    def test_a_claim_line_uses_part_of_a_line(self) -> None:
        pa = consume(granted_whole(), 1, 1, Money.mad("5000"), day=FROM, now=ASKED)
        assert pa.left(1) == Granted(1, 3, Money.mad("15000"), 2, Money.mad("10000"))
        assert pa.left(2) == granted_whole().left(2) and pa.status is PaStatus.GRANTED

    def test_using_everything_consumes_it(self) -> None:
        pa = consume(granted_whole(), 1, 3, Money.mad("15000"), day=UNTIL, now=ASKED)
        pa = consume(pa, 2, 20, Money.mad("1000"), day=UNTIL, now=ASKED)
        assert pa.status is PaStatus.CONSUMED
        with pytest.raises(TransitionRefused):
            consume(pa, 1, 0, Money(0), day=UNTIL, now=ASKED)

    def test_a_partial_grant_stays_partial_until_used_up(self) -> None:
        pa = grant(requested(DRUG), {1: (2, Money.mad("10000"))}, valid_from=FROM,
                   valid_until=UNTIL, at=ASKED)  # fmt: skip
        pa = consume(pa, 1, 1, Money.mad("5000"), day=FROM, now=ASKED)
        assert pa.status is PaStatus.PARTIAL
        assert consume(pa, 1, 1, Money.mad("5000"), day=FROM, now=ASKED).status is PaStatus.CONSUMED

    @pytest.mark.parametrize(
        ("quantity", "amount"), [(4, Money.mad("1")), (1, Money.mad("15000.01"))]
    )
    def test_more_than_left_is_refused(self, quantity: int, amount: Money) -> None:
        with pytest.raises(NotEnoughLeft):
            consume(granted_whole(), 1, quantity, amount, day=FROM, now=ASKED)

    def test_a_line_not_granted_is_not_covered(self) -> None:
        pa = grant(requested(), {1: (3, Money.mad("15000"))}, valid_from=FROM,
                   valid_until=UNTIL, at=ASKED)  # fmt: skip
        with pytest.raises(NotEnoughLeft):
            consume(pa, 2, 1, Money(1), day=FROM, now=ASKED)

    @pytest.mark.parametrize("day", [FROM - timedelta(days=1), UNTIL + timedelta(days=1)])
    def test_outside_the_validity_is_refused(self, day: date) -> None:
        with pytest.raises(TransitionRefused):
            consume(granted_whole(), 1, 1, Money(1), day=day, now=ASKED)

    def test_negative_use_is_refused(self) -> None:
        with pytest.raises(TransitionRefused):
            consume(granted_whole(), 1, -1, Money(0), day=FROM, now=ASKED)
        with pytest.raises(TransitionRefused):
            consume(granted_whole(), 1, 0, Money(-1), day=FROM, now=ASKED)

    def test_a_pending_or_cancelled_one_is_not_consumed(self) -> None:
        for pa in (requested(), cancel(granted_whole(), "annulee-par-le-demandeur")):
            with pytest.raises(TransitionRefused):
                consume(pa, 1, 1, Money(1), day=FROM, now=ASKED)

    def test_an_expired_one_still_covers_the_care_given_while_it_was_valid(self) -> None:
        """Dispensed on its last valid day, billed after it expired (within the filing
        window): paid; a day later than its validity, not."""
        pa = expire(granted_whole(), UNTIL + timedelta(days=1))
        used = consume(pa, 1, 1, Money.mad("5000"), day=UNTIL, now=ASKED)
        assert used.left(1).quantity_left == 2 and used.status is PaStatus.EXPIRED
        with pytest.raises(TransitionRefused):
            consume(pa, 1, 1, Money(1), day=UNTIL + timedelta(days=1), now=ASKED)

    def test_an_expired_one_holds_nothing_for_a_counter_check(self) -> None:
        pa = expire(granted_whole(), UNTIL + timedelta(days=1))
        held = Reservation("r-1", 1, 1, Money(1), ASKED + timedelta(minutes=15))
        with pytest.raises(TransitionRefused):
            reserve(pa, held, day=UNTIL, now=ASKED)

    def test_without_a_validity_nothing_is_consumed(self) -> None:
        odd = replace(granted_whole(), valid_from=None)
        with pytest.raises(TransitionRefused):
            consume(odd, 1, 1, Money(1), day=FROM, now=ASKED)


class TestEdgesMutationsFound:
    def test_a_plain_grant_is_not_provisional_and_keeps_its_reasons(self) -> None:
        asked = request_information(requested(), "piece-manquante")
        pa = granted_whole(asked)
        assert not pa.provisional and pa.reasons == ("piece-manquante",)

    def test_one_unit_is_a_grant(self) -> None:
        one = PaLine(1, "6111234567890", "costly-drug", 1, Money.mad("15000"))
        assert granted_whole(requested(one)).status is PaStatus.GRANTED

    def test_a_line_granted_none_beside_another_granted(self) -> None:
        pa = grant(requested(), {1: (3, Money.mad("15000")), 2: (0, Money(0))},
                   valid_from=FROM, valid_until=UNTIL, at=ASKED)  # fmt: skip
        assert pa.status is PaStatus.PARTIAL and pa.left(2) == Granted(2, 0, Money(0), 0, Money(0))

    def test_a_quantity_granted_at_no_amount(self) -> None:
        pa = grant(requested(SESSIONS), {2: (20, Money(0))}, valid_from=FROM,
                   valid_until=UNTIL, at=ASKED)  # fmt: skip
        assert pa.left(2) == Granted(2, 20, Money(0), 20, Money(0))

    def test_a_cancel_adds_its_reason(self) -> None:
        pa = cancel(request_information(requested(), "piece-manquante"), "doublon")
        assert pa.reasons == ("piece-manquante", "doublon")

    def test_a_cancelled_one_does_not_expire(self) -> None:
        pa = cancel(granted_whole(), "doublon")
        assert expire(pa, UNTIL + timedelta(days=1)).status is PaStatus.CANCELLED

    def test_an_amount_alone_or_a_quantity_alone_is_consumed(self) -> None:
        pa = consume(granted_whole(), 1, 0, Money.mad("100"), day=FROM, now=ASKED)
        assert pa.left(1) == Granted(1, 3, Money.mad("15000"), 3, Money.mad("14900"))
        pa = consume(pa, 1, 1, Money(0), day=FROM, now=ASKED)
        assert pa.left(1) == Granted(1, 3, Money.mad("15000"), 2, Money.mad("14900"))


class TestMessages:
    """What the desk and the reviewer read: the action refused and the state it is in."""

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda: request_information(granted_whole(), "x"),
             "Impossible de demander un complément pour une prise en charge au statut « granted »"),
            (lambda: information_given(requested()),
             "Impossible de répondre à une demande de complément pour une prise en charge "
             "au statut « requested »"),
            (lambda: granted_whole(granted_whole()),
             "Impossible d'accorder une prise en charge au statut « granted »"),
            (lambda: refuse(granted_whole(), "x", at=ASKED),
             "Impossible de refuser une prise en charge au statut « granted »"),
            (lambda: cancel(refuse(requested(), "x", at=ASKED), "x"),
             "Impossible d'annuler une prise en charge au statut « refused »"),
            (lambda: consume(requested(), 1, 1, Money(1), day=FROM, now=ASKED),
             "Impossible d'utiliser une prise en charge au statut « requested »"),
            (lambda: grant(requested(DRUG), {1: (3, Money(1))}, valid_from=UNTIL,
                           valid_until=FROM, at=ASKED),
             "La fin de validité précède son début"),
            (lambda: grant(requested(DRUG), {1: (0, Money(0))}, valid_from=FROM,
                           valid_until=UNTIL, at=ASKED),
             "Un accord porte au moins une ligne : sinon, refuser"),
            (lambda: consume(granted_whole(), 1, 1, Money(1), day=UNTIL + timedelta(days=1),
                             now=ASKED),
             "Date des soins hors de la validité de l'accord"),
            (lambda: reserve(requested(), Reservation("r", 1, 1, Money(1), ASKED), day=FROM,
                             now=ASKED),
             "Impossible de réserver sur une prise en charge au statut « requested »"),
            (lambda: reserve(granted_whole(), Reservation("r", 1, 1, Money(1), ASKED), day=FROM,
                             now=ASKED),
             "Une réservation dure un moment : son échéance est passée"),
            (lambda: reserve(granted_whole(), Reservation("r", 1, 9, Money(1), DEADLINE),
                             day=FROM, now=ASKED),
             "Ligne 1 : l'accord n'a plus de quoi couvrir cette délivrance"),
            (lambda: consume(granted_whole(), 1, 1, Money(1), day=FROM, now=ASKED,
                             reservation="r-9"),
             "Réservation inconnue, d'une autre ligne ou échue : refaites la vérification au "
             "comptoir"),
            (lambda: consume(granted_whole(), 1, -1, Money(1), day=FROM, now=ASKED),
             "Une quantité ou un montant négatif ne se consomme pas"),
            (lambda: consume(granted_whole(), 1, 4, Money(1), day=FROM, now=ASKED),
             "Ligne 1 : l'accord ne couvre pas ce qui est facturé"),
            (lambda: grant(requested(DRUG), {1: (4, Money(1))}, valid_from=FROM,
                           valid_until=UNTIL, at=ASKED),
             "Ligne 1 : on n'accorde pas plus que demandé"),
        ],
    )  # fmt: skip
    def test_each_refusal_says_what_and_why(self, change: object, message: str) -> None:
        with pytest.raises((TransitionRefused, NotEnoughLeft)) as refused:
            change()  # type: ignore[operator]
        assert refused.value.detail == message
