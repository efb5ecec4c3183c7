"""A payer's figures from the facts its store gives: per provider and in all, the median
delay of decisions and the refusal rate; a period out of order or too long is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import InvalidRequest
from domain.money import ZERO, Money
from domain.records import AuditEntry
from domain.services import statistics
from domain.services.settlement_history import Officer
from domain.services.statistics import ClaimFacts, FiguresPorts, PaFact
from tests.fakes import FakeClock
from tests.unit.domain.test_services_review_desk import FakeTrail

pytestmark = pytest.mark.anyio
AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


def pa(provider: str, status: str, hours: float | None) -> PaFact:
    decided = None if hours is None else AT + timedelta(hours=hours)
    return PaFact(provider, status, AT, decided)


class FakeReader:
    """statistics.FiguresReader over given facts, remembering the period asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, datetime, datetime]] = []

    async def claims(self, payer: str, start: datetime, end: datetime) -> list[ClaimFacts]:
        self.asked.append((payer, start, end))
        return [
            ClaimFacts("clinic", 2, Money(10_000), Money(4_000)),
            ClaimFacts("pharmacy", 3, Money(3_000), Money(3_000)),
        ]

    async def authorizations(self, payer: str, start: datetime, end: datetime) -> list[PaFact]:
        self.asked.append((payer, start, end))
        return [
            pa("clinic", "granted", 2),
            pa("clinic", "refused", 6),
            pa("clinic", "partial", 10),
            pa("clinic", "requested", None),
            pa("pharmacy", "granted", 0),
        ]


class TestFigures:
    async def test_per_provider_and_in_all(self) -> None:
        reader = FakeReader()
        end = AT + timedelta(days=1)
        trail = FakeTrail()
        ports = FiguresPorts(reader, trail, FakeClock(AT))
        officer = Officer("CNSS", "staff:reviewer-1")
        report = await statistics.payer_figures(
            officer, AT, end, (AT.date(), AT.date()), ports=ports
        )
        assert reader.asked == [("CNSS", AT, end)] * 2
        assert [e.client_id for e in trail.entries] == ["staff:reviewer-1"]
        clinic, pharmacy = report.rows
        assert (clinic.claims, clinic.accepted, clinic.paid) == (2, Money(10_000), Money(4_000))
        assert (clinic.requests, clinic.decisions, clinic.refused) == (4, 3, 1)
        assert clinic.median_delay == timedelta(hours=6)
        assert clinic.refusal_rate == Decimal(1) / Decimal(3)
        assert pharmacy.refusal_rate == 0 and pharmacy.median_delay == timedelta(0)
        total = report.total
        assert (total.subject, total.claims, total.paid) == ("CNSS", 5, Money(7_000))
        assert total.median_delay == timedelta(hours=4)  # 0, 2, 6, 10: between 2 and 6

    def test_nothing_decided_has_no_rate_nor_delay(self) -> None:
        figures = statistics.combined("CNSS", [], [pa("clinic", "requested", None)])
        assert (figures.requests, figures.refusal_rate, figures.median_delay) == (1, None, None)


class TestPeriod:
    def test_out_of_order_or_longer_than_a_year_is_refused(self) -> None:
        assert statistics.period(date(2026, 1, 1), date(2026, 12, 31))
        with pytest.raises(InvalidRequest):
            statistics.period(date(2026, 2, 1), date(2026, 1, 1))
        with pytest.raises(InvalidRequest):
            statistics.period(date(2024, 1, 1), date(2025, 1, 1))


class TestReport:
    async def test_the_period_asked_and_the_read_audited(self) -> None:
        trail = FakeTrail()
        ports = FiguresPorts(FakeReader(), trail, FakeClock(AT))
        days = (date(2026, 10, 1), date(2026, 10, 31))
        report = await statistics.payer_figures(
            Officer("CNSS", "staff:reviewer-1"), AT, AT, days, ports=ports
        )
        assert (report.payer, report.start, report.end) == ("CNSS", *days)
        assert trail.entries == [
            AuditEntry(AT, "statistics.read", 200, "payer:CNSS", "staff:reviewer-1", None,
                       "2026-10-01..2026-10-31")
        ]  # fmt: skip

    def test_a_provider_of_claims_alone_or_of_requests_alone_has_its_row(self) -> None:
        claims = [ClaimFacts("clinic", 1, Money(100), ZERO)]
        rows = statistics.figures(claims, [pa("pharmacy", "granted", 1)])
        assert [(r.subject, r.claims, r.requests) for r in rows] == [
            ("clinic", 1, 0), ("pharmacy", 0, 1),
        ]  # fmt: skip

    def test_a_decision_is_a_decided_status_with_its_instant(self) -> None:
        asked = [pa("clinic", "cancelled", 1), pa("clinic", "granted", None)]
        figures = statistics.combined("CNSS", [], asked)
        assert (figures.requests, figures.decisions, figures.median_delay) == (2, 0, None)


class TestPeriodBoundaries:
    def test_a_single_day_is_a_period(self) -> None:
        assert statistics.period(date(2026, 3, 1), date(2026, 3, 1)) == (
            date(2026, 3, 1), date(2026, 3, 1),
        )  # fmt: skip

    def test_the_day_before_the_start_is_refused_in_words(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^La fin de la période précède son début$") as e:
            statistics.period(date(2026, 3, 1), date(2026, 2, 28))
        assert e.value.code == "periode-invalide"

    def test_a_year_of_days_at_most(self) -> None:
        start = date(2026, 1, 1)
        assert statistics.period(start, start + timedelta(days=365))
        with pytest.raises(InvalidRequest, match=r"^Une période de 366 jours au plus$") as e:
            statistics.period(start, start + timedelta(days=366))
        assert e.value.code == "periode-invalide"
