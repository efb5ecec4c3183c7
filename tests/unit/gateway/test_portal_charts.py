"""The payments' charts: every month between the first and last paid, bars scaled to the
tallest, months running right to left in Arabic, crowded charts naming every other month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.money import Money
from domain.payment_clock import CashDelay
from gateway.portal.charts import HEIGHT, WIDTH, Month, chart, months

DELAYS = [
    CashDelay("2026-09", 2, Decimal("3.5"), Decimal("7"), Money(10_000)),
    CashDelay("2026-11", 1, Decimal("14"), Decimal("14"), Money(2_500)),
]


def paid(rows: list[Month], lang: str = "fr") -> object:
    return chart(rows, {"paid": lambda m: Decimal(m.amount.centimes)}, str, lang)


class TestMonths:
    def test_a_month_with_nothing_paid_is_kept_empty(self) -> None:
        rows = months(DELAYS)
        assert [(r.month, r.paid, r.median) for r in rows] == [
            (date(2026, 9, 1), 2, Decimal("3.5")), (date(2026, 10, 1), 0, None),
            (date(2026, 11, 1), 1, Decimal("14")),
        ]  # fmt: skip

    def test_across_the_new_year(self) -> None:
        rows = months([CashDelay("2026-12", 1, 1, 1), CashDelay("2027-01", 1, 1, 1)])
        assert [r.month for r in rows] == [date(2026, 12, 1), date(2027, 1, 1)]

    def test_none_paid_none_drawn(self) -> None:
        assert months([]) == []


class TestChart:
    def test_the_tallest_bar_fills_the_height_and_an_empty_month_has_none(self) -> None:
        drawn = paid(months(DELAYS))
        assert [b.label for b in drawn.bars] == ["10000", "0", "2500"]  # type: ignore[attr-defined]
        tallest = drawn.bars[0]  # type: ignore[attr-defined]
        assert tallest.y == 28 and tallest.y + tallest.height == HEIGHT - 44
        assert drawn.bars[2].height == tallest.height / 4  # type: ignore[attr-defined]

    def test_in_arabic_the_months_run_right_to_left(self) -> None:
        ltr, rtl = paid(months(DELAYS)), paid(months(DELAYS), "ar")
        first, mirrored = ltr.bars[0], rtl.bars[0]  # type: ignore[attr-defined]
        assert first.x < WIDTH / 2 < mirrored.x
        assert mirrored.x == round(WIDTH - first.x - first.width, 1)

    def test_a_crowded_chart_names_every_other_month_the_last_one_included(self) -> None:
        year = [Month(date(2026, m, 1), 1, Decimal(1), Decimal(2), Money(m)) for m in range(1, 13)]
        drawn = paid(year)
        assert len(drawn.ticks) == 6 and "déc." in drawn.ticks[-1][1]  # type: ignore[attr-defined]
        assert {b.label for b in drawn.bars} == {""}  # type: ignore[attr-defined]
