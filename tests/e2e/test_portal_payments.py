"""The pharmacy's money pages against a real uvicorn: its statement and transfers (a claim paid
at the counter settled by the real commands, then executed by the bank's statement), a
transfer's claims, the CSV file, the claims with their reasons and next steps; another
organization sees none of it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import httpx
import orjson
import pytest

from domain.bank_accounts import rib_key
from fhir_profiles import messages
from gateway.bootstrap import open_storage
from gateway.commands.settlement import approve, propose, run_cycle, run_statement
from tests.bank_documents import Booked, camt054
from tests.e2e.pa_world import PROVIDER_SCOPES, dispensing
from tests.e2e.portal_world import PortalWorld, sign_in
from tests.e2e.support import token_form

pytestmark = pytest.mark.e2e
SCOPES = f"{PROVIDER_SCOPES} system/PaymentReconciliation.rs"


@dataclass(frozen=True)
class Settled:
    """What the pharmacy's statement must show."""

    paid: str  # the claim paid (its business id)
    transfer: str  # the end-to-end id of the transfer that paid it
    amount: float  # what it paid, in MAD
    rejected: str  # a claim with nothing payable


def rib(account: str) -> str:
    return f"011780{account}{rib_key('011', '780', account)}"


def api(portal: PortalWorld) -> dict[str, str]:
    """The pharmacy's software's headers: a token for claims and payments."""
    url = f"{portal.base}/auth/token"
    form = token_form(portal.state.pharmacy, url, SCOPES)
    token = httpx.post(url, data=form).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}


def submit(portal: PortalWorld, claim: dict[str, Any]) -> dict[str, Any]:
    """The pharmacy's claim through the API, its ClaimResponse."""
    answer = httpx.post(f"{portal.base}/fhir/Claim/$submit", content=orjson.dumps(claim),
                        headers=api(portal))  # fmt: skip
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture(scope="module")
def settled(portal: PortalWorld, tmp_path_factory: pytest.TempPathFactory) -> Settled:
    """A claim paid at the counter, settled by its payer's cycle and executed by the bank;
    a claim for a patient still in the waiting period, rejected."""
    people = portal.state.people
    day = date.today() - timedelta(days=3)
    paid = submit(portal, dispensing(people["disabled-child"][1], "PORTAIL-PAYE-1", boxes=2,
                                     billed=71, prescribed=1, day=day))  # fmt: skip
    submit(portal, dispensing(people["waiting-period"][1], "PORTAIL-REJET-1", boxes=1,
                              billed=35.5, day=day))  # fmt: skip
    folder = tmp_path_factory.mktemp("settlement")
    debtors = f"CNSS={rib('9' * 16)},CNOPS={rib('8' * 16)}"
    settings = replace(portal.state.settings, settlement_dir=folder, settlement_debtors=debtors)
    with open_storage(settings) as storage, storage.uow() as uow:
        pharmacy = uow.providers.by_inpe(portal.state.pharmacy.inpe)
        assert pharmacy is not None
    propose(settings, pharmacy.id, rib("0" * 15 + "7"), "alice")
    approve(settings, pharmacy.id, "bob")
    due = date.fromisoformat(paid["payment"]["date"])
    transfers = 0
    for payer in ("CNSS", "CNOPS"):
        report, problems = run_cycle(settings, payer, due, quiet=True)
        assert problems == []
        transfers += report.transfers
    assert transfers == 1
    found = httpx.get(f"{portal.base}/fhir/PaymentReconciliation", headers=api(portal)).json()
    (entry,) = found["entry"]
    transfer = entry["resource"]["paymentIdentifier"]["value"]
    amount = paid["payment"]["amount"]["value"]
    statement = folder / "camt054.xml"
    statement.write_bytes(camt054([Booked(transfer, round(amount * 100))], date.today()))
    run_statement(settings, statement)
    return Settled("PORTAIL-PAYE-1", transfer, amount, "PORTAIL-REJET-1")


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
