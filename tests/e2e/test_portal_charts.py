"""The pharmacy's money month by month and its statement by filing day, against a real
uvicorn: the charts (inline SVG with their title and description, the same figures in a
table and a CSV file, in French and in Arabic), and the claims filed on the days asked, the
first and last ones included, the day after not, through the API and the payments page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from babel.numbers import format_currency

from tests.e2e.portal_money import Settled, api
from tests.e2e.portal_world import PortalWorld, csrf_of, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def accountant(portal: PortalWorld) -> Iterator[httpx.Client]:
    """The pharmacy's accountant, signed in."""
    with httpx.Client(base_url=portal.base, timeout=20) as client:
        assert sign_in(client, portal.emails["accountant"]).status_code == 303
        yield client


def clean(page: httpx.Response) -> str:
    return page.text.replace("&#39;", "'").replace("\u202f", " ").replace("\xa0", " ")


class TestCharts:
    def test_the_month_s_delay_and_amount_drawn_and_tabled(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        page = accountant.get("/portal/payments/charts")
        assert page.status_code == 200, page.text
        assert page.text.count('role="img"') == 2 and "<title id=" in page.text
        assert "<desc id=" in page.text and "<script" not in page.text
        assert "<rect" in page.text and '<th scope="col">Délai médian (jours)</th>' in page.text
        assert f"{settled.amount:.2f}".replace(".", ",") in clean(page)
        listed = accountant.get("/portal/payments")
        assert 'href="/portal/payments/charts"' in listed.text

    def test_the_csv_file_holds_the_same_figures(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        answer = accountant.get("/portal/payments/charts.csv")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(answer.text.removeprefix("\ufeff")), delimiter=";"))
        month = settled.booked.strftime("%Y-%m")
        assert rows[0][0] == "Mois"
        (this,) = [row for row in rows[1:] if row[0] == month]
        assert int(this[1]) >= 1 and this[4] == f"{settled.amount:.2f}".replace(".", ",")

    def test_in_arabic_right_to_left(self, settled: Settled, accountant: httpx.Client) -> None:
        csrf = csrf_of(accountant.get("/portal/payments/charts"))
        accountant.post("/portal/language",
                        data={"csrf": csrf, "lang": "ar", "next": "/portal"})  # fmt: skip
        page = accountant.get("/portal/payments/charts")
        assert '<html lang="ar" dir="rtl">' in page.text
        assert format_currency(settled.amount, "MAD", locale="ar_MA") in page.text.replace(
            "&#39;", "'"
        )

    def test_a_desk_may_not_see_them(self, portal: PortalWorld) -> None:
        with httpx.Client(base_url=portal.base, timeout=20) as desk:
            sign_in(desk, portal.emails["desk"])
            assert desk.get("/portal/payments/charts").status_code == 403


class TestFiledDays:
    """The settled claims were filed on the UTC day the gateway stamped them with."""

    def test_the_api_s_statement_keeps_both_days_and_leaves_the_day_after(
        self, settled: Settled, portal: PortalWorld
    ) -> None:
        today = settled.filed
        url = f"{portal.base}/fhir/ClaimResponse/$statement"

        def listed(first: object, last: object) -> str:
            params = {"filed-from": str(first), "filed-to": str(last)}
            answer = httpx.get(url, params=params, headers=api(portal))
            assert answer.status_code == 200, answer.text
            return answer.text

        assert settled.paid in listed(today, today)  # first day = last day, both included
        assert settled.paid not in listed(today - timedelta(days=1), today - timedelta(days=1))
        assert settled.paid not in listed(today + timedelta(days=1), today + timedelta(days=2))
        refused = httpx.get(url, params={"filed-from": "30/11"}, headers=api(portal))
        assert refused.status_code == 400
        paged = httpx.get(url, params={"filed-from": str(today), "_count": "1"},
                          headers=api(portal))  # fmt: skip
        assert f"filed-from={today}" in paged.text  # the next page keeps the days asked

    def test_the_payments_page_filters_the_claims_by_the_same_days(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        today = settled.filed
        day_before = (today - timedelta(days=1)).isoformat()
        day = today.isoformat()
        shown = accountant.get("/portal/payments", params={"filed-from": day, "filed-to": day})
        assert settled.paid in shown.text.split('id="statement"')[1].split('id="transfers"')[0]
        assert f'value="{today.isoformat()}"' in shown.text  # kept in the form
        before = accountant.get("/portal/payments", params={"filed-to": day_before})
        statement = before.text.split('id="statement"')[1].split('id="transfers"')[0]
        assert settled.paid not in statement and "Aucune demande pour ces filtres." in statement
        rejected = accountant.get("/portal/payments", params={"state": "rejected",
                                                              "filed-to": day_before})  # fmt: skip
        assert settled.rejected not in rejected.text
        file = accountant.get("/portal/payments/statement.csv", params={"filed-to": day_before})
        assert settled.paid not in file.text and settled.rejected not in file.text
