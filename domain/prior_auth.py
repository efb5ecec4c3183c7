"""A prior authorization (prise en charge, PEC) and the only ways it may change.

    requested -> (information requested -> requested) -> granted | partial | refused
    granted | partial -> consumed (nothing left) | expired (past validity) | cancelled

Each change is a pure function returning the new authorization; a change the state does not
allow raises `TransitionRefused`, so that a reviewer's double click, a late cancel or a claim
on an expired PEC can never corrupt it. What a grant leaves (quantity and amount per line) is
what claims consume, at most once, line by line, each use kept under the claim that made it.
A counter check may hold part of a line for a short while (a reservation): nobody else can use
it meanwhile, the claim that follows uses it, and once its time is past it holds nothing. A
claim cancelled or corrected gives back what it used, never more: a used-up authorization is
usable again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from domain.errors import DomainError
from domain.money import ZERO, Money


class PaStatus(StrEnum):
    """Where a prior authorization stands (the states of DOMAIN.md, "Prior authorization")."""

    REQUESTED = "requested"
    INFO_REQUESTED = "info-requested"
    GRANTED = "granted"
    PARTIAL = "partial"
    REFUSED = "refused"
    CONSUMED = "consumed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def pending(self) -> bool:
        """Waiting for the payer's decision (or for the provider's information)."""
        return self in (PaStatus.REQUESTED, PaStatus.INFO_REQUESTED)

    @property
    def usable(self) -> bool:
        """Granted, wholly or in part, and not yet used up, expired or cancelled."""
        return self in (PaStatus.GRANTED, PaStatus.PARTIAL)


class TransitionRefused(DomainError):
    """The authorization's state does not allow this change."""

    code = "transition-refusee"


class NotEnoughLeft(DomainError):
    """A claim line asks more than the authorization has left."""

    code = "accord-insuffisant"


@dataclass(frozen=True, slots=True)
class PaLine:
    """One line asked for: a drug, an act, a stay, so many times at so much."""

    sequence: int
    code: str  # EAN13, NGAP act, ... in the system of its category
    category: str
    quantity: int
    amount: Money  # the total asked for the line


@dataclass(frozen=True, slots=True)
class Granted:
    """What the payer granted for one line, and what claims have left of it."""

    sequence: int
    quantity: int
    amount: Money
    quantity_left: int
    amount_left: Money


@dataclass(frozen=True, slots=True)
class Reservation:
    """Part of a granted line held for a claim about to follow a counter check."""

    id: str
    sequence: int
    quantity: int
    amount: Money
    until: datetime  # it holds nothing from this instant on

    def held(self, now: datetime) -> bool:
        """Whether it still holds its part at `now`."""
        return now < self.until


@dataclass(frozen=True, slots=True)
class Use:
    """Part of a granted line a claim used: what it gives back if it is cancelled or
    corrected."""

    claim: str  # the claim's business identifier (its provider is the authorization's)
    sequence: int
    quantity: int
    amount: Money


@dataclass(frozen=True, slots=True)
class PriorAuthorization:
    """A request for prior authorization and what became of it."""

    id: str
    tenant: str  # the provider that asked: the only one that sees it or claims it
    payer: str
    pa_type: str  # hospitalisation, costly-drug, device, multi-session, ...
    lines: tuple[PaLine, ...]
    requested_at: datetime
    deadline: datetime  # when the payer must have answered
    status: PaStatus = PaStatus.REQUESTED
    granted: tuple[Granted, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None  # inclusive
    reasons: tuple[str, ...] = ()  # stable codes, newest last
    provisional: bool = False  # an urgent admission granted before review
    decided_at: datetime | None = None
    date_of_care: date | None = None
    rules_version: str = ""  # the reference dataset the last decision was made with
    foreign: tuple[int, ...] = ()  # item sequences coded in a system the payer does not read
    overdue_flagged: bool = False  # both sides were told the deadline passed
    reservations: tuple[Reservation, ...] = ()
    uses: tuple[Use, ...] = ()  # what each claim used, oldest first
    # A keyed blind index of the member it is for (never the member id itself: the state is
    # stored without patient data); "" for one recorded before it was kept, which no claim
    # can use.
    patient: str = ""

    def for_patient(self, patient: str) -> bool:
        """Whether it is for the patient of that key (one without a key is for no one)."""
        return bool(self.patient) and self.patient == patient

    def overdue(self, now: datetime) -> bool:
        """Still waiting for the payer past its deadline."""
        return self.status.pending and now > self.deadline

    def left(self, sequence: int) -> Granted | None:
        """What is granted, and left, of one line (None: nothing granted for it)."""
        return next((g for g in self.granted if g.sequence == sequence), None)


def request_information(pa: PriorAuthorization, reason: str) -> PriorAuthorization:
    """The reviewer asks the provider for more (a document, a report)."""
    _require(pa, (PaStatus.REQUESTED,), "de demander un complément pour")
    return replace(pa, status=PaStatus.INFO_REQUESTED, reasons=(*pa.reasons, reason))


def information_given(pa: PriorAuthorization) -> PriorAuthorization:
    """The provider answered: the request is back in the reviewer's queue."""
    _require(pa, (PaStatus.INFO_REQUESTED,), "de répondre à une demande de complément pour")
    return replace(pa, status=PaStatus.REQUESTED)


def grant(
    pa: PriorAuthorization,
    granted: dict[int, tuple[int, Money]],
    *,
    valid_from: date,
    valid_until: date,
    at: datetime,
    reason: str | None = None,
    provisional: bool = False,
) -> PriorAuthorization:
    """Grant lines (sequence -> quantity, amount); less than asked, or fewer lines, is partial."""
    _require(pa, (PaStatus.REQUESTED, PaStatus.INFO_REQUESTED), "d'accorder")
    if valid_until < valid_from:
        raise TransitionRefused("La fin de validité précède son début")
    asked = {line.sequence: line for line in pa.lines}
    unknown = sorted(set(granted) - set(asked))
    if unknown:
        raise TransitionRefused(f"Lignes inconnues dans l'accord : {unknown}")
    lines = tuple(_granted_line(asked[s], q, a) for s, (q, a) in sorted(granted.items()))
    if not any(g.quantity > 0 for g in lines):
        raise TransitionRefused("Un accord porte au moins une ligne : sinon, refuser")
    return replace(
        pa,
        status=_decided(pa.lines, lines),
        granted=lines,
        valid_from=valid_from,
        valid_until=valid_until,
        reasons=pa.reasons if reason is None else (*pa.reasons, reason),
        provisional=provisional,
        decided_at=at,
    )


def _decided(asked: tuple[PaLine, ...], granted: tuple[Granted, ...]) -> PaStatus:
    """Granted when every line asked is granted whole, else partial."""
    wanted = {line.sequence: line for line in asked}
    whole = len(granted) == len(asked) and all(
        g.quantity == wanted[g.sequence].quantity and g.amount == wanted[g.sequence].amount
        for g in granted
    )
    return PaStatus.GRANTED if whole else PaStatus.PARTIAL


def _granted_line(line: PaLine, quantity: int, amount: Money) -> Granted:
    if not 0 <= quantity <= line.quantity or not ZERO <= amount <= line.amount:
        raise TransitionRefused(f"Ligne {line.sequence} : on n'accorde pas plus que demandé")
    return Granted(line.sequence, quantity, amount, quantity, amount)


def refuse(pa: PriorAuthorization, reason: str, *, at: datetime) -> PriorAuthorization:
    """The payer refuses, with a coded reason."""
    _require(pa, (PaStatus.REQUESTED, PaStatus.INFO_REQUESTED), "de refuser")
    return replace(pa, status=PaStatus.REFUSED, reasons=(*pa.reasons, reason), decided_at=at)


def cancel(pa: PriorAuthorization, reason: str) -> PriorAuthorization:
    """The provider (or the payer) withdraws it; nothing can be claimed on it afterwards."""
    _require(pa, (*_PENDING, PaStatus.GRANTED, PaStatus.PARTIAL), "d'annuler")
    return replace(pa, status=PaStatus.CANCELLED, reasons=(*pa.reasons, reason))


def expire(pa: PriorAuthorization, today: date) -> PriorAuthorization:
    """Past its last valid day, a usable authorization expires (others are left as they are)."""
    if not pa.status.usable or pa.valid_until is None or today <= pa.valid_until:
        return pa
    return replace(pa, status=PaStatus.EXPIRED)


def consume(
    pa: PriorAuthorization,
    sequence: int,
    quantity: int,
    amount: Money,
    *,
    day: date,
    now: datetime,
    reservation: str | None = None,
    claim: str | None = None,
) -> PriorAuthorization:
    """A claim line uses part of one granted line, on a day of care within the validity: what
    others hold at `now` is not there to use; its own reservation, if it names one, is used up
    (what it held beyond the claim is freed). The use is kept under the claim it names, for
    the claim to give it back. An authorization that expired since still covers the care given
    while it was valid: the claim comes later, within its filing window."""
    _usable_on(pa, day, "d'utiliser", (PaStatus.GRANTED, PaStatus.PARTIAL, PaStatus.EXPIRED))
    _not_negative(quantity, amount)
    mine = None if reservation is None else _held(pa, reservation, sequence, now)
    whole = _covering(pa, sequence, quantity, amount, now, but=reservation)
    if whole is None:
        raise NotEnoughLeft(f"Ligne {sequence} : l'accord ne couvre pas ce qui est facturé")
    used = replace(
        whole, quantity_left=whole.quantity_left - quantity, amount_left=whole.amount_left - amount
    )
    granted = tuple(used if g.sequence == sequence else g for g in pa.granted)
    spent = all(g.quantity_left == 0 for g in granted)
    kept = tuple(r for r in pa.reservations if r is not mine and r.held(now))
    status = PaStatus.CONSUMED if spent else pa.status
    uses = pa.uses if claim is None else (*pa.uses, Use(claim, sequence, quantity, amount))
    return replace(pa, granted=granted, status=status, reservations=kept, uses=uses)


def give_back(
    pa: PriorAuthorization, sequence: int, quantity: int, amount: Money
) -> PriorAuthorization:
    """Restore part of a granted line that a claim used, never more than was used: a used-up
    authorization is usable again (granted, or partial, as decided); an expired or cancelled
    one keeps its status."""
    _not_negative(quantity, amount)
    line = pa.left(sequence)
    if line is None:
        raise TransitionRefused(f"Ligne {sequence} : rien n'en a été accordé, rien ne s'y rend")
    restored = replace(
        line, quantity_left=line.quantity_left + quantity, amount_left=line.amount_left + amount
    )
    if restored.quantity_left > line.quantity or restored.amount_left > line.amount:
        raise TransitionRefused(f"Ligne {sequence} : on ne rend pas plus que ce qui a été utilisé")
    granted = tuple(restored if g.sequence == sequence else g for g in pa.granted)
    reopened = pa.status is PaStatus.CONSUMED and any(g.quantity_left > 0 for g in granted)
    return replace(
        pa, granted=granted, status=_decided(pa.lines, granted) if reopened else pa.status
    )


def give_back_claim(pa: PriorAuthorization, claim: str) -> PriorAuthorization:
    """Give back everything one claim used (nothing if it used nothing, or gave it back)."""
    mine = [use for use in pa.uses if use.claim == claim]
    for use in mine:
        pa = give_back(pa, use.sequence, use.quantity, use.amount)
    return replace(pa, uses=tuple(use for use in pa.uses if use.claim != claim)) if mine else pa


def reserve(
    pa: PriorAuthorization,
    reservation: Reservation,
    *,
    day: date,
    now: datetime,
) -> PriorAuthorization:
    """Hold part of a line for a claim about to follow (a counter check). The same
    reservation asked again holds nothing more; what others hold is not there to hold."""
    if any(r.id == reservation.id for r in pa.reservations if r.held(now)):
        return pa
    _usable_on(pa, day, "de réserver sur")
    _not_negative(reservation.quantity, reservation.amount)
    if reservation.until <= now:
        raise TransitionRefused("Une réservation dure un moment : son échéance est passée")
    held = (reservation.quantity, reservation.amount)
    if _covering(pa, reservation.sequence, *held, now) is None:
        raise NotEnoughLeft(
            f"Ligne {reservation.sequence} : l'accord n'a plus de quoi couvrir cette délivrance"
        )
    kept = tuple(r for r in pa.reservations if r.held(now))
    return replace(pa, reservations=(*kept, reservation))


def release(pa: PriorAuthorization, reservation: str) -> PriorAuthorization:
    """Give back what a reservation holds (nothing happens if it holds nothing)."""
    return replace(pa, reservations=tuple(r for r in pa.reservations if r.id != reservation))


def _usable_on(
    pa: PriorAuthorization,
    day: date,
    what: str,
    statuses: tuple[PaStatus, ...] = (PaStatus.GRANTED, PaStatus.PARTIAL),
) -> None:
    _require(pa, statuses, what)
    if (
        pa.valid_from is None
        or pa.valid_until is None
        or not (pa.valid_from <= day <= pa.valid_until)
    ):
        raise TransitionRefused("Date des soins hors de la validité de l'accord")


def _not_negative(quantity: int, amount: Money) -> None:
    if quantity < 0 or amount < ZERO:
        raise TransitionRefused("Une quantité ou un montant négatif ne se consomme pas")


def _held(pa: PriorAuthorization, reservation: str, sequence: int, now: datetime) -> Reservation:
    """A reservation still holding its part of that line (else the claim cannot use it)."""
    for held in pa.reservations:
        if held.id == reservation and held.sequence == sequence and held.held(now):
            return held
    raise TransitionRefused(
        "Réservation inconnue, d'une autre ligne ou échue : refaites la vérification au comptoir"
    )


def _covering(
    pa: PriorAuthorization,
    sequence: int,
    quantity: int,
    amount: Money,
    now: datetime,
    *,
    but: str | None = None,
) -> Granted | None:
    """The granted line, if what it has left beyond what others hold at `now` covers a
    quantity and an amount (None: it does not)."""
    line = pa.left(sequence)
    if line is None:
        return None
    others = [r for r in pa.reservations if r.sequence == sequence and r.id != but and r.held(now)]
    quantity_free = line.quantity_left - sum(r.quantity for r in others)
    amount_free = line.amount_left - sum((r.amount for r in others), ZERO)
    return line if quantity <= quantity_free and amount <= amount_free else None


_PENDING = (PaStatus.REQUESTED, PaStatus.INFO_REQUESTED)


def _require(pa: PriorAuthorization, allowed: tuple[PaStatus, ...], what: str) -> None:
    if pa.status not in allowed:
        raise TransitionRefused(
            f"Impossible {what} une prise en charge au statut « {pa.status.value} »"
        )
