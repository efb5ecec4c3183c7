"""The pharmacy's money pages against a real uvicorn: its statement and transfers (a claim paid
at the counter settled by the real commands, then executed by the bank's statement), a
transfer's claims, the CSV file, the claims with their reasons and next steps; another
organization sees none of it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from fhir_profiles import messages
from gateway.portal.formats import day
from tests.e2e.portal_money import Settled
from tests.e2e.portal_world import PortalWorld, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def accountant(portal: PortalWorld) -> Iterator[httpx.Client]:
    """The pharmacy's accountant, signed in."""
    with httpx.Client(base_url=portal.base, timeout=20) as client:
        assert sign_in(client, portal.emails["accountant"]).status_code == 303
        yield client


def _arabic(client: httpx.Client, csrf: str) -> None:
    client.post("/portal/language", data={"csrf": csrf, "lang": "ar", "next": "/portal"})


class TestPayments:
    def test_the_statement_shows_the_paid_claim_with_its_transfer(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        page = accountant.get("/portal/payments", params={"state": "paid"})
        assert page.status_code == 200, page.text
        assert settled.paid in page.text and settled.transfer in page.text
        assert f'href="/portal/payments/transfers/{settled.transfer}"' in page.text
        assert "payée le" in page.text and "exécuté" in page.text
        assert settled.rejected not in page.text  # the filter holds

    def test_the_rejected_claims_say_why(self, settled: Settled, accountant: httpx.Client) -> None:
        page = accountant.get("/portal/payments", params={"state": "rejected"})
        assert page.status_code == 200
        assert settled.rejected in page.text and settled.paid not in page.text
        assert f"<li>{messages.label('droits-non-ouverts', 'fr')}" in page.text.replace(
            "&#39;", "'"
        )

    def test_a_transfer_lists_the_claims_it_paid(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        page = accountant.get(f"/portal/payments/transfers/{settled.transfer}")
        assert page.status_code == 200
        assert settled.paid in page.text
        assert f"{settled.amount:.2f}".replace(".", ",") in page.text  # 1 234,50 MAD, French
        # the statement booked it on a day, without a time: the day is shown, no made-up hour
        executed = page.text.split("<dd>")[1:]
        assert any(d.startswith(day(settled.booked, "fr") + "</dd>") for d in executed), page.text

    def test_another_organization_s_transfer_is_not_found(
        self, settled: Settled, portal: PortalWorld
    ) -> None:
        with httpx.Client(base_url=portal.base, timeout=20) as clinic:
            assert sign_in(clinic, portal.emails["other-admin"]).status_code == 303
            detail = clinic.get(f"/portal/payments/transfers/{settled.transfer}")
            assert detail.status_code == 404
            assert settled.paid not in detail.text
            listed = clinic.get("/portal/payments")
            assert listed.status_code == 200 and settled.transfer not in listed.text
            assert settled.paid not in clinic.get("/portal/payments/statement.csv").text

    def test_the_csv_file_is_the_api_s_statement(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        answer = accountant.get("/portal/payments/statement.csv")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(answer.text.removeprefix("\ufeff")), delimiter=";"))
        by_claim = {row[0]: row for row in rows[1:]}
        assert rows[0][0] == "Demande"
        paid = by_claim[settled.paid]
        assert paid[1] == "payée" and paid[10] == f"payment:{settled.transfer}"
        assert paid[3] == f"{settled.amount:.2f}".replace(".", ",")
        assert by_claim[settled.rejected][1] == "rejetée" and by_claim[settled.rejected][11]

    def test_in_arabic_right_to_left_with_arabic_amounts(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        from babel.numbers import format_currency

        first = accountant.get("/portal/payments")
        csrf = first.text.split('name="csrf" value="')[1][:64]
        _arabic(accountant, csrf)
        page = accountant.get(f"/portal/payments/transfers/{settled.transfer}")
        assert '<html lang="ar" dir="rtl">' in page.text
        arabic = format_currency(settled.amount, "MAD", locale="ar_MA")
        assert arabic in page.text.replace("&#39;", "'")
        assert "مؤداة" in accountant.get("/portal/payments").text

    def test_a_returned_transfer_says_the_bank_s_reason_and_its_claim_is_due_again(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        detail = accountant.get(f"/portal/payments/transfers/{settled.returned}")
        assert detail.status_code == 200
        assert "rejeté par la banque" in detail.text and "Motif de la banque : AC04" in detail.text
        assert settled.unpaid in detail.text
        paid = accountant.get("/portal/payments", params={"state": "paid"}).text
        assert settled.unpaid not in paid
        owed = accountant.get("/portal/payments").text
        assert settled.unpaid in owed and "échéance le" in owed

    def test_the_days_filter_the_transfers(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        made = settled.filed  # the transfers were made after the claim was filed
        listed = accountant.get("/portal/payments", params={"from": made.isoformat()}).text
        assert settled.transfer in listed and settled.returned in listed
        later = (settled.booked + timedelta(days=1)).isoformat()  # and before it was booked
        empty = accountant.get("/portal/payments", params={"from": later}).text
        assert settled.transfer not in empty.split('id="transfers"')[1]
        assert "Aucun virement pour ces filtres." in empty

    def test_an_unreadable_page_link_shows_the_first_page(
        self, settled: Settled, accountant: httpx.Client
    ) -> None:
        page = accountant.get("/portal/payments", params={"page": "not-ours", "after": "%%"})
        assert page.status_code == 200
        assert "Lien de page illisible" in page.text and settled.transfer in page.text

    def test_a_desk_may_not_follow_payments(self, portal: PortalWorld) -> None:
        with httpx.Client(base_url=portal.base, timeout=20) as desk:
            sign_in(desk, portal.emails["desk"])
            assert desk.get("/portal/payments").status_code == 403
            assert desk.get("/portal/payments/statement.csv").status_code == 403


class TestClaims:
    def test_each_claim_with_its_shares_reasons_and_next_step(
        self, settled: Settled, portal: PortalWorld
    ) -> None:
        with httpx.Client(base_url=portal.base, timeout=20) as pharmacist:
            sign_in(pharmacist, portal.emails["pharmacist"])
            page = pharmacist.get("/portal/claims")
            assert page.status_code == 200, page.text
            assert settled.paid in page.text and settled.rejected in page.text
            assert "Part AMO (RO)" in page.text and "Part du patient" in page.text
            assert "réduite" in page.text and "À faire" in page.text
            payable = pharmacist.get("/portal/claims", params={"status": "payable"}).text
            assert settled.paid in payable and settled.rejected not in payable

    def test_another_organization_sees_none_of_them(
        self, settled: Settled, portal: PortalWorld
    ) -> None:
        with httpx.Client(base_url=portal.base, timeout=20) as clinic:
            sign_in(clinic, portal.emails["other-admin"])
            page = clinic.get("/portal/claims")
            assert page.status_code == 200 and settled.paid not in page.text
