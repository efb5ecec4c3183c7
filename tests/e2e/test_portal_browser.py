"""A pharmacist in a real headless Chromium (Debian's) against a real uvicorn: signs in,
checks a patient's rights in French, then in Arabic, right to left. Screenshots of each page
are kept under the pytest base temporary folder, in artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.numbers import format_currency

from tests.e2e.browser import check_rights as _check
from tests.e2e.browser import serious as _serious
from tests.e2e.browser import sign_in as _sign_in
from tests.e2e.portal_money import Settled
from tests.e2e.portal_world import PASSWORD, PortalWorld

pytestmark = pytest.mark.e2e


class TestPharmacistChecksRights:
    def test_in_french_then_in_arabic(self, tab: object, portal: PortalWorld, artifacts: Path):
        page = tab
        idcs = portal.state.people["open"][1]
        page.goto("/portal/login")  # type: ignore[attr-defined]
        assert page.locator("html").get_attribute("lang") == "fr"  # type: ignore[attr-defined]
        page.screenshot(path=artifacts / "login-fr.png", full_page=True)  # type: ignore[attr-defined]
        page.get_by_label("Adresse électronique").fill(portal.emails["pharmacist"])  # type: ignore[attr-defined]
        page.get_by_label("Mot de passe").fill(PASSWORD)  # type: ignore[attr-defined]
        page.get_by_role("button", name="Se connecter").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/portal")  # type: ignore[attr-defined]
        page.screenshot(path=artifacts / "home-fr.png", full_page=True)  # type: ignore[attr-defined]
        page.get_by_role("link", name="Vérifier les droits d'un patient").click()  # type: ignore[attr-defined]
        _check(page, idcs)
        answer = page.get_by_role("status")  # type: ignore[attr-defined]
        assert "Pris en charge par" in answer.inner_text()
        assert "droits ouverts" in answer.inner_text()
        page.screenshot(path=artifacts / "rights-fr.png", full_page=True)  # type: ignore[attr-defined]

        page.get_by_label("Langue").select_option("ar")  # type: ignore[attr-defined]
        page.get_by_role("button", name="Changer").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/portal/rights")  # type: ignore[attr-defined]
        html = page.locator("html")  # type: ignore[attr-defined]
        assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
        _check(page, idcs, submit="تحقق")
        answer = page.get_by_role("status")  # type: ignore[attr-defined]
        assert "مغطى من طرف" in answer.inner_text()
        assert "الحقوق مفتوحة" in answer.inner_text()
        page.screenshot(path=artifacts / "rights-ar.png", full_page=True)  # type: ignore[attr-defined]
        page.goto("/portal")  # type: ignore[attr-defined]
        assert "التحقق من حقوق مريض" in page.locator("main").inner_text()  # type: ignore[attr-defined]
        page.screenshot(path=artifacts / "home-ar.png", full_page=True)  # type: ignore[attr-defined]
        assert sorted(p.name for p in artifacts.glob("*.png")) == [
            "home-ar.png", "home-fr.png", "login-fr.png", "rights-ar.png", "rights-fr.png"
        ]  # fmt: skip

    def test_the_keyboard_reaches_the_sign_in_form(self, tab: object) -> None:
        page = tab
        page.goto("/portal/login")  # type: ignore[attr-defined]
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        focused = page.evaluate("document.activeElement.textContent")  # type: ignore[attr-defined]
        assert focused == "Aller au contenu"  # the skip link comes first


class TestAccountantFollowsPayments:
    def test_the_paid_transfer_and_its_claims(
        self, tab: object, portal: PortalWorld, settled: Settled, artifacts: Path
    ) -> None:
        page, shots = tab, artifacts / "payments"
        shots.mkdir(exist_ok=True)
        _sign_in(page, portal.emails["accountant"])
        page.get_by_role("link", name="Suivre les paiements").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/portal/payments")  # type: ignore[attr-defined]
        page.get_by_label("État des demandes").select_option("paid")  # type: ignore[attr-defined]
        page.get_by_role("button", name="Afficher").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/portal/payments?*")  # type: ignore[attr-defined]
        statement = page.get_by_role("region", name="Relevé", exact=False)  # type: ignore[attr-defined]
        assert settled.paid in statement.inner_text()
        page.screenshot(path=shots / "payments-fr.png", full_page=True)  # type: ignore[attr-defined]
        page.get_by_role("link", name=settled.transfer).first.click()  # type: ignore[attr-defined]
        page.wait_for_url(f"**/portal/payments/transfers/{settled.transfer}")  # type: ignore[attr-defined]
        assert settled.paid in page.locator("main").inner_text()  # type: ignore[attr-defined]
        page.screenshot(path=shots / "transfer-fr.png", full_page=True)  # type: ignore[attr-defined]
        page.get_by_label("Langue").select_option("ar")  # type: ignore[attr-defined]
        page.get_by_role("button", name="Changer").click()  # type: ignore[attr-defined]
        page.wait_for_url(f"**/portal/payments/transfers/{settled.transfer}")  # type: ignore[attr-defined]
        assert page.locator("html").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]
        said = page.locator("main").inner_text()  # type: ignore[attr-defined]
        assert format_currency(settled.amount, "MAD", locale="ar_MA") in said
        page.screenshot(path=shots / "transfer-ar.png", full_page=True)  # type: ignore[attr-defined]
        page.goto("/portal/claims")  # type: ignore[attr-defined]
        assert settled.paid in page.locator("main").inner_text()  # type: ignore[attr-defined]
        page.screenshot(path=shots / "claims-ar.png", full_page=True)  # type: ignore[attr-defined]
        assert sorted(p.name for p in shots.glob("*.png")) == [
            "claims-ar.png", "payments-fr.png", "transfer-ar.png", "transfer-fr.png"
        ]  # fmt: skip


class TestAccessibility:
    def test_the_main_pages_have_no_serious_violation_in_french_and_arabic(
        self, tab: object, portal: PortalWorld, settled: Settled
    ) -> None:
        from axe_playwright_python.sync_playwright import Axe

        axe, page, found = Axe(), tab, {}
        page.goto("/portal/login")  # type: ignore[attr-defined]
        found["login-fr"] = _serious(axe, page)
        page.get_by_label("Adresse électronique").fill(portal.emails["admin"])  # type: ignore[attr-defined]
        page.get_by_label("Mot de passe").fill(PASSWORD)  # type: ignore[attr-defined]
        page.get_by_role("button", name="Se connecter").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/portal")  # type: ignore[attr-defined]
        for lang, submit in (("fr", "Vérifier"), ("ar", "تحقق")):
            transfer = f"/portal/payments/transfers/{settled.transfer}"
            for path in ("/portal", "/portal/users", "/portal/rights", "/portal/payments",
                         transfer, "/portal/claims"):  # fmt: skip
                page.goto(path)  # type: ignore[attr-defined]
                if path == "/portal/rights":
                    _check(page, portal.state.people["open"][1], submit=submit)
                found[f"{path}-{lang}"] = _serious(axe, page)
            if lang == "fr":  # then the same pages in Arabic
                page.get_by_label("Langue").select_option("ar")  # type: ignore[attr-defined]
                page.get_by_role("button", name="Changer").click()  # type: ignore[attr-defined]
                page.wait_for_load_state()  # type: ignore[attr-defined]
        assert page.locator("html").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]
        assert {where: rules for where, rules in found.items() if rules} == {}
