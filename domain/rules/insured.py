"""Rights of an insured person in their own right, for one affiliation and one date of care.

Scheme differences are data: `min_working_days` and `stage_max_months` (CNSS salariés: 54
days within at most 6 months of the immatriculation), `waiting_months` (TNS: 3 from the first
payment), `maintain_months` (6 after loss). A scheme without a parameter does not apply that
condition: Tadamon, public sector and students open rights from the affiliation start (Tadamon
contributions are paid by the State, public-sector ones withheld from salaries).

The stage is served once, from the immatriculation (the affiliation's `start`): rights open on
the first day of the month after the one in which the declared days reach the minimum (a
month's declaration is known once the month is over), and never later than `stage_max_months`
after the immatriculation. Once open, a month without declarations is no new stage: unpaid
contributions are a suspension (`suspended_from`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from domain.eligibility import EligibilityStatus
from domain.errors import ReferenceDataError
from domain.members import Affiliation
from domain.reference import ReferenceData
from domain.rules.calendar import add_months, month_start
from domain.rules.maintenance import Rights, Window, covered_from, maintain

Status = EligibilityStatus
ONE_DAY = timedelta(days=1)


def insured_status(
    affiliation: Affiliation, day: date, ref: ReferenceData, others: Sequence[Window] = ()
) -> Rights:
    """The insured's rights on the day, for an affiliation that started on or before it;
    `others`: when the person qualifies under their other affiliations."""
    if affiliation.end is not None and day >= affiliation.end:
        return _after_loss(affiliation, day, ref, others)
    return _affiliated(affiliation, day, ref)


def _affiliated(affiliation: Affiliation, day: date, ref: ReferenceData) -> Rights:
    opened = _opening(affiliation, day, ref)
    if opened.status is not Status.OPEN:
        return opened
    if is_suspended(affiliation, day):
        return Rights(
            Status.SUSPENDED, ("cotisations-impayees", "suspension-sauf-ald"), opened.start
        )
    return opened


def _opening(affiliation: Affiliation, day: date, ref: ReferenceData) -> Rights:
    """Whether rights are open, before any suspension."""
    moved = affiliation.transferred_from
    if moved is not None and ref.scheme(moved, day) is not None:
        return Rights(Status.OPEN, ("droits-ouverts", "mutation-sans-stage"), affiliation.start)
    waiting_end = _waiting_end(affiliation, day, ref)
    if waiting_end is None or day < waiting_end:
        return Rights(Status.WAITING_PERIOD, ("stage-en-cours",), waiting_end)
    stage_end = _stage_end(affiliation, day, ref)
    if day < stage_end:
        return Rights(Status.WAITING_PERIOD, ("jours-cotises-insuffisants",), stage_end)
    return Rights(Status.OPEN, ("droits-ouverts",), max(waiting_end, stage_end))


def _waiting_end(affiliation: Affiliation, day: date, ref: ReferenceData) -> date | None:
    """The first day after the waiting period (None: no payment yet to start it)."""
    months = ref.param(affiliation.scheme, "waiting_months", day) or 0
    if months <= 0:
        return affiliation.start
    if affiliation.first_payment is None:
        return None
    return add_months(affiliation.first_payment, months)


def _stage_end(affiliation: Affiliation, day: date, ref: ReferenceData) -> date:
    """The first day after the working-days stage (the affiliation start: no such stage)."""
    minimum = ref.param(affiliation.scheme, "min_working_days", day)
    if minimum is None:
        return affiliation.start
    months = ref.param(affiliation.scheme, "stage_max_months", day)
    if months is None:
        raise ReferenceDataError(f"stage_max_months manquant pour {affiliation.scheme} le {day}")
    longest = add_months(affiliation.start, months)
    first_month = month_start(affiliation.start)
    counted = sorted(
        (c for c in affiliation.contributions if c.month >= first_month), key=lambda c: c.month
    )
    declared = 0
    for contribution in counted:
        declared += contribution.working_days
        if declared >= minimum:
            return min(add_months(contribution.month, 1), longest)
    return longest


def is_suspended(affiliation: Affiliation, day: date) -> bool:
    """Contributions in arrears on the day (settled on `suspended_until`)."""
    since, until = affiliation.suspended_from, affiliation.suspended_until
    return since is not None and since <= day and (until is None or day < until)


def _after_loss(
    affiliation: Affiliation, day: date, ref: ReferenceData, others: Sequence[Window]
) -> Rights:
    """Rights maintained after the loss (`end`), from those held the day before."""
    assert affiliation.end is not None
    last_day = affiliation.end - ONE_DAY
    if last_day < affiliation.start:
        return Rights(Status.NOT_FOUND, ("droits-expires",))
    before = _affiliated(affiliation, last_day, ref)
    months = ref.param(affiliation.scheme, "maintain_months", day) or 0
    elsewhere = covered_from(others, affiliation.end)
    return maintain(before, affiliation.end, day, months, elsewhere)
