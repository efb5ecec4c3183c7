"""A pharmacist in a real headless Chromium (Debian's) on a phone's screen: checks a claim
at the counter, then bills it, in French then in Arabic; an accountant reads the payments'
charts. Screenshots under the pytest base temporary folder, in artifacts/claims; axe-core
finds no serious violation on the form, the answers and the charts, in either language."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.numbers import format_currency

from gateway.portal.catalogue import LOCALES
from tests.e2e.browser import serious as _serious
from tests.e2e.browser import sign_in as _sign_in
from tests.e2e.pa_world import EPOETIN
from tests.e2e.portal_money import Settled
from tests.e2e.portal_world import PortalWorld
from tests.e2e.test_portal_claim_form import granted

pytestmark = pytest.mark.e2e


def _fill(page: object, idcs: str, day: date, pec: str) -> None:
    """The patient, the day, the prise en charge and one line of epoetin."""
    page.locator("#value").fill(idcs)  # type: ignore[attr-defined]
    page.locator("#date").fill(day.isoformat())  # type: ignore[attr-defined]
    page.locator("#prescriber").fill("Dr Bennani")  # type: ignore[attr-defined]
    page.locator("#pec").fill(pec)  # type: ignore[attr-defined]
    page.locator("#ean-1").fill(EPOETIN)  # type: ignore[attr-defined]
    page.locator("#qty-1").fill("4")  # type: ignore[attr-defined]


def _arabic(page: object) -> None:
    page.get_by_label("Langue").select_option("ar")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Changer").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


class TestPharmacistBillsAtTheCounter:
    def test_check_then_bill_in_french_then_in_arabic(
        self, tab: object, portal: PortalWorld, settled: Settled, artifacts: Path
    ) -> None:
        from axe_playwright_python.sync_playwright import Axe

        axe, page, found = Axe(), tab, {}
        shots = artifacts / "claims"
        shots.mkdir(exist_ok=True)
        idcs = portal.state.people["dialysis"][1]
        _sign_in(page, portal.emails["pharmacist"])
        words = {
            "fr": ("Vérifier au comptoir", "Facturer", "Part AMO (RO)", "Réponse à la facture"),
            "ar": ("تحقق في الشباك", "فوترة", "حصة", "الرد على الفاتورة"),
        }
        # Within the 3 months a costly drug is billed in, 15 days apart: each supply of 4
        # boxes lasts 10, and 8 boxes stay under the 12 a month allowed.
        for lang, days in (("fr", 20), ("ar", 35)):
            check, bill, share, answered = words[lang]
            day = date.today() - timedelta(days=days)
            pec = granted(portal, day)
            if lang == "fr":  # from the home page, as a pharmacist does
                page.get_by_role("link", name="Déposer une facture").click()  # type: ignore[attr-defined]
                page.wait_for_url("**/portal/claims/new")  # type: ignore[attr-defined]
            else:
                page.goto("/portal/claims/new")  # type: ignore[attr-defined]
            found[f"form-{lang}"] = _serious(axe, page)
            _fill(page, idcs, day, pec)
            page.get_by_role("button", name=check).click()  # type: ignore[attr-defined]
            page.wait_for_load_state()  # type: ignore[attr-defined]
            status = page.get_by_role("status")  # type: ignore[attr-defined]
            said = status.inner_text()
            assert share in said, said
            assert "réservées" in said or "محجوزة" in said  # until when the units are held
            found[f"check-{lang}"] = _serious(axe, page)
            page.screenshot(path=shots / f"check-{lang}.png", full_page=True)  # type: ignore[attr-defined]
            page.get_by_role("button", name=bill, exact=True).click()  # type: ignore[attr-defined]
            page.wait_for_url("**/portal/claims/*")  # type: ignore[attr-defined]
            main = page.locator("main").inner_text()  # type: ignore[attr-defined]
            assert answered in main and "PORTAIL-" in main
            ro = format_currency(4900, "MAD", locale=LOCALES[lang])  # 98 % of 5 000 MAD
            assert ro in main, main
            found[f"answer-{lang}"] = _serious(axe, page)
            page.screenshot(path=shots / f"answer-{lang}.png", full_page=True)  # type: ignore[attr-defined]
            if lang == "fr":
                _arabic(page)
        assert page.locator("html").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]
        assert {where: rules for where, rules in found.items() if rules} == {}


class TestAccountantReadsTheCharts:
    def test_the_charts_in_french_and_arabic(
        self, tab: object, portal: PortalWorld, settled: Settled, artifacts: Path
    ) -> None:
        from axe_playwright_python.sync_playwright import Axe

        axe, page, found = Axe(), tab, {}
        shots = artifacts / "claims"
        shots.mkdir(exist_ok=True)
        _sign_in(page, portal.emails["accountant"])
        page.goto("/portal/payments")  # type: ignore[attr-defined]
        page.get_by_role("link", name="Délais et paiements par mois").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/portal/payments/charts")  # type: ignore[attr-defined]
        assert page.get_by_role("img", name="Montants payés").count() == 1  # type: ignore[attr-defined]
        found["charts-fr"] = _serious(axe, page)
        page.screenshot(path=shots / "charts-fr.png", full_page=True)  # type: ignore[attr-defined]
        _arabic(page)
        assert page.locator("html").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]
        assert page.get_by_role("img", name="المبالغ المؤداة").count() == 1  # type: ignore[attr-defined]
        found["charts-ar"] = _serious(axe, page)
        page.screenshot(path=shots / "charts-ar.png", full_page=True)  # type: ignore[attr-defined]
        assert {where: rules for where, rules in found.items() if rules} == {}
