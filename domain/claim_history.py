"""A patient's claim history: the lines of claims made payable, which later claims are checked
against (domain.rules.claim_checks: duplicates, a prescription served elsewhere, a refill too
early, the room left under a cap).

A claim's payable lines join the history in the write that makes the claim payable (its
ledger entry): a claim decided but with nothing payable, or a predetermination, leaves none.
A claim reversed in the ledger (cancelled, or corrected by another) no longer counts: the
store leaves out the lines of every claim that has a reversal entry.

How far back a claim looks (`lookback`): its own dates of service (duplicates), each capped
line's cap period (caps, from the reference data), and for drug lines `supply_days`, a
setting bounding the supply an earlier dispensing may still cover (refills). Lines sharing a
prescription with the claim are read whatever their date.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from domain.claims import (
    PAYABLE,
    Adjudication,
    ClaimHistory,
    ClaimLine,
    ClaimUse,
    CodeKind,
    PastBenefit,
    PastLine,
    SubmitClaim,
)
from domain.money import Money
from domain.reference import ReferenceData
from domain.rules.calendar import add_months


def claim_source(provider_id: str, claim_id: str) -> str:
    """What names a claim in the ledger and the history: the provider and its business id."""
    return f"{provider_id}:{claim_id}"


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """A line of a claim made payable, as the checks of later claims need it."""

    source: str  # the claim, as claim_source() names it
    sequence: int
    provider_id: str
    # The patient's member id. A store keeps only a blind index of it (and of the
    # prescription): read back, a line of the member asked for carries its id; another
    # patient's line, found by its prescription, None.
    member_id: str | None
    code: str
    category: str
    service_date: date
    quantity: int
    prescription_id: str | None  # read back: only when it is one asked for
    benefit: Money  # the RO benefit of the line


def made_payable(cmd: SubmitClaim, adjudication: Adjudication) -> tuple[HistoryLine, ...]:
    """The lines of a claim the payer pays, as they join the history (a predetermination
    pays nothing: none)."""
    if cmd.use is not ClaimUse.CLAIM:
        return ()
    source = claim_source(cmd.provider_id, cmd.claim_id)
    return tuple(
        HistoryLine(
            source=source,
            sequence=line.sequence,
            provider_id=cmd.provider_id,
            member_id=cmd.insured.member_id,
            code=line.code,
            category=line.category,
            service_date=line.service_date,
            quantity=line.quantity,
            prescription_id=line.prescription_id,
            benefit=result.benefit,
        )
        for line, result in zip(cmd.lines, adjudication.lines, strict=True)
        if result.status in PAYABLE
    )


def lookback(
    lines: Iterable[ClaimLine], payer: str, ref: ReferenceData, *, supply_days: int
) -> date | None:
    """The earliest date of service the checks of these lines may need (None: no lines)."""
    starts = []
    for line in lines:
        day = line.service_date
        starts.append(day)  # a duplicate is of the same day
        cap = ref.cap(payer, line.category, line.code, day)
        if cap is not None:
            starts.append(add_months(day, -cap.period_months))
        if line.kind is CodeKind.DRUG:
            starts.append(day - timedelta(days=supply_days))
    return min(starts, default=None)


def prescriptions(lines: Iterable[ClaimLine]) -> frozenset[str]:
    """The prescriptions the lines dispense."""
    return frozenset(line.prescription_id for line in lines if line.prescription_id is not None)


def as_history(found: Iterable[HistoryLine], *, excluding: Collection[str]) -> ClaimHistory:
    """What the checks read, from the lines found, but those of the claims `excluding`
    names (the claim itself sent again, the claim it corrects). Another patient's lines
    (sharing a prescription) count as lines, never towards the patient's caps."""
    kept = [line for line in found if line.source not in excluding]
    own = [line for line in kept if line.member_id is not None]
    return ClaimHistory(
        tuple(_past(line) for line in kept),
        tuple(PastBenefit(p.category, p.code, p.service_date, p.benefit) for p in own),
    )


def _past(line: HistoryLine) -> PastLine:
    """A line as the checks read it; another patient's carries no member id."""
    return PastLine(
        claim_id=line.source,
        provider_id=line.provider_id,
        member_id=line.member_id or "",
        code=line.code,
        service_date=line.service_date,
        quantity=line.quantity,
        prescription_id=line.prescription_id,
    )
