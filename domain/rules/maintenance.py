"""Maintained rights: whoever stops qualifying keeps their rights for a while.

"Les personnes qui cessent de remplir les conditions pour relever, soit en qualité d'assuré,
soit en qualité d'ayants droit, d'un régime d'AMO de base bénéficient ... du maintien de leurs
droits ... pendant une période maximum de 6 mois" (FAQ CNSS, cnss.ma/fr/faq-page/45): the
insured who loses the job, the child past the age limit, the student whose studies end, the
divorced spouse. The maintenance ends early on the day the person comes under another
affiliation (another AMO scheme, AMO Tadamon having taken over the assistance scheme).

What is kept is what the person held the day before the loss: open rights are maintained;
suspended ones (the employer stopped paying) stay suspended with ALD/ALC care covered, "l'assuré
continue à bénéficier des prestations au titre des maladies de longue durée ou coûteuses en cas
d'arrêt de versement des cotisations par l'employeur"; a stage not served leaves nothing to keep.
A maintenance already running (the insured lost the job, then the child aged out) is not
prolonged by the second loss.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from domain.eligibility import EligibilityStatus
from domain.rules.calendar import add_months

Status = EligibilityStatus
ONE_DAY = timedelta(days=1)
_KEPT = frozenset({Status.OPEN, Status.MAINTAINED, Status.SUSPENDED})
_SUSPENDED = ("cotisations-impayees", "suspension-sauf-ald")


@dataclass(frozen=True, slots=True)
class Rights:
    """A status on a date, why, and the coverage period when one is known."""

    status: EligibilityStatus
    reasons: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None  # last day covered, when the end is known


@dataclass(frozen=True, slots=True)
class Window:
    """The days a person qualifies under one affiliation: from `start`, before `end`."""

    start: date
    end: date | None = None


def covered_from(windows: Iterable[Window], since: date) -> date | None:
    """The first day, from `since` on, on which one of the windows qualifies the person."""
    found = [max(w.start, since) for w in windows if w.end is None or w.end > max(w.start, since)]
    return min(found, default=None)


def maintain(before: Rights, loss: date, day: date, months: int, elsewhere: date | None) -> Rights:
    """The rights on `day` of someone who stopped qualifying on `loss`, given the rights they
    held the day before; `elsewhere`: the day they came under another affiliation, if any."""
    until = add_months(loss, months)  # the first day no longer maintained
    if before.end is not None:
        until = min(until, before.end + ONE_DAY)
    if day >= until or before.status not in _KEPT:
        return Rights(Status.NOT_FOUND, ("droits-expires",))
    if elsewhere is not None and day >= elsewhere:
        return Rights(Status.NOT_FOUND, ("maintien-interrompu",))
    last = until if elsewhere is None else min(until, elsewhere)
    if before.status is Status.SUSPENDED:
        reasons = (*_SUSPENDED, "droits-maintenus")
        return Rights(Status.SUSPENDED, reasons, before.start, last - ONE_DAY)
    return Rights(Status.MAINTAINED, ("droits-maintenus",), before.start, last - ONE_DAY)
