"""A payer's figures over a period, per provider and in all: claims made payable and what was
paid of them, prior-authorization requests, decisions, their median delay and refusal rate.

The store gives the facts (one row per provider of claims, one per prise en charge); the
figures are computed here, once, whoever shows them (the console's table, its CSV file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from domain.errors import InvalidRequest
from domain.money import ZERO, Money
from domain.ports import AuditTrail, Clock
from domain.records import AuditEntry
from domain.services.settlement_history import Officer

MAX_DAYS = 366  # a year at most: the figures of a period, not of the whole history
REFUSED = frozenset({"refused"})
UNDECIDED = frozenset({"requested", "info-requested", "cancelled"})


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """A provider's claims accepted for the payer over the period (reversed ones left out)."""

    provider: str
    claims: int
    accepted: Money  # the payer's share made payable
    paid: Money  # what transfers the bank executed paid of it


@dataclass(frozen=True, slots=True)
class PaFact:
    """One prise en charge asked of the payer over the period."""

    provider: str
    status: str
    requested_at: datetime
    decided_at: datetime | None


class FiguresReader(Protocol):
    """The facts of a payer's period, read outside the request's event loop."""

    async def claims(self, payer: str, start: datetime, end: datetime) -> list[ClaimFacts]:
        """Per provider, the claims accepted from `start` (included) to `end` (excluded)."""
        ...

    async def authorizations(self, payer: str, start: datetime, end: datetime) -> list[PaFact]:
        """The prises en charge requested from `start` (included) to `end` (excluded)."""
        ...


@dataclass(frozen=True, slots=True)
class FiguresPorts:
    """The facts read, and the audit trail the reads are written to."""

    reader: FiguresReader
    audit: AuditTrail
    clock: Clock


@dataclass(frozen=True, slots=True)
class Figures:
    """One provider's figures (or the payer's, in all)."""

    subject: str
    claims: int = 0
    accepted: Money = ZERO
    paid: Money = ZERO
    requests: int = 0
    decisions: int = 0
    refused: int = 0
    median_delay: timedelta | None = None

    @property
    def refusal_rate(self) -> Decimal | None:
        """The share of decisions that refused (None: nothing decided)."""
        return None if not self.decisions else Decimal(self.refused) / Decimal(self.decisions)


@dataclass(frozen=True, slots=True)
class Report:
    """The payer's figures over a period: per provider, and in all."""

    payer: str
    start: date
    end: date  # inclusive
    rows: tuple[Figures, ...]
    total: Figures


def period(start: date, end: date) -> tuple[date, date]:
    """A period a person may ask for: in order, a year at most."""
    if end < start:
        raise InvalidRequest("La fin de la période précède son début", code="periode-invalide")
    if (end - start).days >= MAX_DAYS:
        raise InvalidRequest(f"Une période de {MAX_DAYS} jours au plus", code="periode-invalide")
    return start, end


async def payer_figures(
    officer: Officer,
    start: datetime,
    end: datetime,
    days: tuple[date, date],
    *,
    ports: FiguresPorts,
) -> Report:
    """The officer's payer's figures over [start, end): `days` are the period as the person
    asked it; the read is audited."""
    payer = officer.payer
    claims = await ports.reader.claims(payer, start, end)
    asked = await ports.reader.authorizations(payer, start, end)
    rows = figures(claims, asked)
    detail = f"{days[0].isoformat()}..{days[1].isoformat()}"
    await ports.audit.append(
        AuditEntry(ports.clock.now(), "statistics.read", 200, tenant=f"payer:{payer}",
                   client_id=officer.client_id, detail=detail)
    )  # fmt: skip
    return Report(payer, days[0], days[1], tuple(rows), combined(payer, claims, asked))


def figures(claims: list[ClaimFacts], asked: list[PaFact]) -> list[Figures]:
    """Per provider, ordered by provider."""
    providers = sorted({c.provider for c in claims} | {p.provider for p in asked})
    return [
        combined(
            provider,
            [c for c in claims if c.provider == provider],
            [p for p in asked if p.provider == provider],
        )
        for provider in providers
    ]


def combined(subject: str, claims: list[ClaimFacts], asked: list[PaFact]) -> Figures:
    """The figures of these facts together."""
    decided = [p for p in asked if p.status not in UNDECIDED and p.decided_at is not None]
    delays = [p.decided_at - p.requested_at for p in decided if p.decided_at is not None]
    return Figures(
        subject=subject,
        claims=sum(c.claims for c in claims),
        accepted=sum((c.accepted for c in claims), ZERO),
        paid=sum((c.paid for c in claims), ZERO),
        requests=len(asked),
        decisions=len(decided),
        refused=sum(1 for p in decided if p.status in REFUSED),
        median_delay=middle(delays),
    )


def middle(delays: list[timedelta]) -> timedelta | None:
    """The median of delays (None: none)."""
    if not delays:
        return None
    ordered, half = sorted(delays), len(delays) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2
