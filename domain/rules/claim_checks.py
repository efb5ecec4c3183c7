"""Checks of a claim line against the reference data and the patient's history.

Each is a pure function of its inputs: the filing window (the last day included), the
documents a claim type must carry, duplicates (same provider, patient, code and date), a
prescription already dispensed at another pharmacy, a refill before the previous supply ran
out, a quantity above the prescription, and the room left under a cap for its period.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from domain.claims import ClaimLine, PastBenefit, PastLine
from domain.money import ZERO, Money
from domain.reference import ReferenceData
from domain.reference_kinds import ANY
from domain.reference_rows import Cap, Drug, FilingWindow
from domain.rules.calendar import add_months

MONTH = "month"


def filing_deadline(window: FilingWindow, service_date: date) -> date:
    """The last day a line of that date of service may be filed."""
    if window.unit == MONTH:
        return add_months(service_date, window.span)
    return service_date + timedelta(days=window.span)


def filed_late(window: FilingWindow | None, service_date: date, filed_on: date) -> bool:
    """Whether the claim was filed after the window (no window known: never late)."""
    return window is not None and filed_on > filing_deadline(window, service_date)


def missing_documents(
    line: ClaimLine, payer: str, claim_type: str, ref: ReferenceData
) -> tuple[str, ...]:
    """The codes of the documents the claim type requires that the line does not carry."""
    required = ref.required_documents(payer, claim_type, line.service_date)
    return tuple(d.document for d in required if d.document not in line.documents)


def is_duplicate(
    line: ClaimLine, provider_id: str, member_id: str, history: Iterable[PastLine]
) -> bool:
    """Whether the same provider already billed the same code for the patient that day."""
    return any(
        (p.provider_id, p.member_id, p.code, p.service_date)
        == (provider_id, member_id, line.code, line.service_date)
        for p in history
    )


def dispensed_elsewhere(line: ClaimLine, provider_id: str, history: Iterable[PastLine]) -> bool:
    """Whether another provider already dispensed the line's prescription for that code."""
    if line.prescription_id is None:
        return False
    return any(
        p.prescription_id == line.prescription_id
        and p.code == line.code
        and p.provider_id != provider_id
        for p in history
    )


def supply_end(past: PastLine, drug: Drug) -> date:
    """The day a dispensing runs out: each box lasts the catalog's period over its maximum."""
    days, _ = divmod(past.quantity * drug.period_days, drug.max_quantity)  # whole days only
    return past.service_date + timedelta(days=days)


def refill_too_early(
    line: ClaimLine, member_id: str, drug: Drug, history: Iterable[PastLine]
) -> bool:
    """Whether the patient's earlier supply of the same drug has not run out on the day."""
    return any(
        p.member_id == member_id
        and p.code == line.code
        and p.service_date <= line.service_date < supply_end(p, drug)
        for p in history
    )


def paid_quantity(line: ClaimLine) -> int:
    """The quantity the base is priced for: at most what was prescribed."""
    if line.prescribed_quantity is None:
        return line.quantity
    return min(line.quantity, line.prescribed_quantity)


def cap_room(cap: Cap, line: ClaimLine, benefits: Iterable[PastBenefit]) -> Money:
    """What the RO may still pay under a cap in the period ending on the date of service."""
    start = add_months(line.service_date, -cap.period_months)
    used = sum(
        (
            b.benefit
            for b in benefits
            if b.category == cap.category
            and cap.code in (b.code, ANY)
            and start < b.service_date <= line.service_date
        ),
        ZERO,
    )
    return max(ZERO, Money(cap.amount_centimes) - used)
