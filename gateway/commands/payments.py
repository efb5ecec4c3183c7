"""`amo-gateway payments clock`: the payment-promise clock as the payer's finance reads it,
live: overdue claims in ageing bands, and claim-to-cash (median, 90th percentile) per payer
or per provider, as France's quarterly tiers-payant delay publication shows them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from adapters.sql.payment_clock import ClaimClockQueries
from adapters.sql.uow import SqlUnitOfWork
from domain.money import Money
from domain.payment_clock import AgeingBand, CashDelay, ClockQuery
from gateway.bootstrap import open_storage
from gateway.settings import Settings

GROUPS = ("payer", "provider")


def clock_report(
    settings: Settings, *, payer: str | None = None, by: str = "payer"
) -> tuple[list[AgeingBand], list[CashDelay]]:
    """The overdue claims in bands and the claim-to-cash delays, grouped `by` payer or
    provider, of one payer's claims (None: every payer's)."""
    if by not in GROUPS:
        raise SystemExit(f"regroupement {by} inconnu : {' ou '.join(GROUPS)}")
    query = ClockQuery(payer=payer, today=datetime.now(UTC).date())
    with open_storage(settings) as storage, storage.uow() as uow:
        queries = ClaimClockQueries(_session(uow))
        return queries.ageing(query, by), queries.delays(query, by)


def report_lines(bands: list[AgeingBand], delays: list[CashDelay]) -> list[str]:
    """The report as tab-separated lines, in French."""
    lines = ["retards\tgroupe\ttranche (jours)\tdemandes\tmontant (MAD)"]
    lines += [f"retards\t{b.key}\t{b.bucket}\t{b.claims}\t{_mad(b.amount)}" for b in bands]
    lines.append("délai\tgroupe\tpayées\tmédiane (jours)\t90e centile (jours)")
    lines += [f"délai\t{d.key}\t{d.paid}\t{d.median}\t{d.p90}" for d in delays]
    return lines


def _mad(amount: Money) -> str:
    return f"{amount.as_decimal():.2f}"


def _session(uow: object) -> Session:
    assert isinstance(uow, SqlUnitOfWork)
    return uow.session
