"""Coverage: what the RO pays per care category and per requested item (DOMAIN.md rates).

Rates are reference rows keyed by scheme, category and situation. An item declared linked to
an ALD/ALC the member holds on the date is exempt from the ticket modérateur: it takes the
condition's own rate where the payer sets one (`ald_rates.csv`: CNSS, end-stage renal failure
98 %), else the category's `ald` rate, on the `ald` row's base; the situation asked for
(public-hospital, generic, ...) answers instead when it pays more (AMO Tadamon: public
facilities free). Other items take the situation asked for or, failing a row for it, the
category's default situation. No row, no cover.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from domain.eligibility import (
    Benefit,
    EligibilityDecision,
    EligibilityStatus,
    ItemDecision,
    RequestedItem,
)
from domain.members import Member
from domain.reference import ReferenceData
from domain.reference_rows import RateRule

ALD = "ald"
# The situation a category is answered in when none is asked for: "standard", or "costly"
# for the costly-drug category which has no standard rate.
DEFAULT_SITUATIONS = ("standard", "costly")
NOT_COVERED = Decimal(0)


def active_ald(member: Member, day: date, ref: ReferenceData) -> tuple[str, ...]:
    """The member's ALD/ALC codes granted on the day and listed in the reference data."""
    codes = {g.condition for g in member.ald if g.active_on(day)}
    return tuple(sorted(c for c in codes if ref.ald_condition(c, day) is not None))


def default_rate(
    scheme: str, category: str, day: date, ref: ReferenceData, situation: str | None = None
) -> RateRule | None:
    """The rate for the situation asked for, else the category's default situation."""
    for name in [n for n in (situation, *DEFAULT_SITUATIONS) if n is not None]:
        rule = ref.rate_for(scheme, category, name, day)
        if rule is not None:
            return rule
    return None


def benefits(
    status: EligibilityStatus,
    scheme: str | None,
    ald_conditions: Sequence[str],
    day: date,
    ref: ReferenceData,
) -> tuple[Benefit, ...]:
    """One benefit per category with a rate: all when in force, ALD care when suspended."""
    if scheme is None:
        return ()
    if status.in_force:
        found = (default_rate(scheme, c, day, ref) for c in ref.categories)
        return tuple(_benefit(r) for r in found if r is not None)
    if status is EligibilityStatus.SUSPENDED and ald_conditions:
        found = (ref.rate_for(scheme, c, ALD, day) for c in ref.categories)
        return tuple(_benefit(r, ald_rate(r, ald_conditions, day, ref)) for r in found if r)
    return ()


def ald_rate(rule: RateRule, conditions: Sequence[str], day: date, ref: ReferenceData) -> Decimal:
    """The rate of care linked to these conditions under an `ald` row: the conditions' own
    rates where the data sets them (the lowest, if they differ), else the row's."""
    own = [r.rate for c in conditions if (r := ref.ald_rate(rule.scheme, c, day)) is not None]
    return min(own, default=rule.rate)


def _benefit(rule: RateRule, rate: Decimal | None = None) -> Benefit:
    exempt = rule.situation == ALD
    paid = rule.rate if rate is None else rate
    return Benefit(rule.category, paid, rule.base, rule.situation, ald_exempt=exempt)


def decide_items(
    decision: EligibilityDecision, items: Sequence[RequestedItem], ref: ReferenceData
) -> tuple[ItemDecision, ...]:
    """The answer for each requested item: covered, rate, base, prior authorization."""
    return tuple(_item(decision, item, ref) for item in items)


def _item(decision: EligibilityDecision, item: RequestedItem, ref: ReferenceData) -> ItemDecision:
    needs_pa = _needs_prior_authorization(decision, item, ref)
    pa_reason = ("accord-prealable-requis",) if needs_pa else ()
    rule, reasons = _rule_for(decision, item, ref)
    if rule is None:
        return ItemDecision(item, False, NOT_COVERED, None, False, needs_pa, reasons + pa_reason)
    exempt = rule.situation == ALD
    linked = (item.ald_condition,) if exempt and item.ald_condition else ()
    rate = ald_rate(rule, linked, decision.date_of_care, ref)
    return ItemDecision(item, True, rate, rule.base, exempt, needs_pa, reasons + pa_reason)


def _needs_prior_authorization(
    decision: EligibilityDecision, item: RequestedItem, ref: ReferenceData
) -> bool:
    if decision.scheme is None:
        return False
    day = decision.date_of_care
    return bool(ref.prior_auth_rules(decision.scheme, item.category, item.code, day))


def _rule_for(
    decision: EligibilityDecision, item: RequestedItem, ref: ReferenceData
) -> tuple[RateRule | None, tuple[str, ...]]:
    """The rate rule that pays the item, with the reasons of the answer."""
    scheme, day = decision.scheme, decision.date_of_care
    status = decision.status
    linked = tuple(c for c in (item.ald_condition,) if c and c in decision.ald_conditions)
    ald = ref.rate_for(scheme, item.category, ALD, day) if scheme and linked else None
    if status is EligibilityStatus.SUSPENDED:
        if ald is None:
            return None, ("cotisations-impayees",)
        return ald, ("suspension-sauf-ald", "exoneration-ald")
    if not status.in_force or scheme is None:
        return None, decision.reasons[:1]
    rule = default_rate(scheme, item.category, day, ref, item.situation)
    if ald is not None and (rule is None or ald_rate(ald, linked, day, ref) >= rule.rate):
        return ald, ("exoneration-ald",)
    return rule, () if rule else ("categorie-non-couverte",)
