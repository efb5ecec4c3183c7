"""The payer console in a real headless Chromium (Debian's) against a real uvicorn: a medical
reviewer decides a clinic's queued admission, a finance officer approves another's change of
a provider's account, in French then in Arabic (right to left); axe-core finds no serious
violation on the console's pages. Screenshots under the pytest base temporary folder, in
artifacts/console."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.browser import serious as _serious
from tests.e2e.browser import sign_in as browser_sign_in
from tests.e2e.portal_money import Settled, rib
from tests.e2e.portal_world import PASSWORD, PortalWorld, sign_in
from tests.e2e.test_console import post, queued_admission

pytestmark = pytest.mark.e2e


def console_sign_in(page: object, email: str) -> None:
    """Sign in on the console's form, as a person does."""
    page.goto("/console/login")  # type: ignore[attr-defined]
    page.get_by_label("Adresse électronique").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Mot de passe").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Se connecter").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/console")  # type: ignore[attr-defined]


def in_arabic(page: object) -> None:
    """Choose Arabic with the layout's language form."""
    page.get_by_label("Langue").select_option("ar")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Changer").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    folder = artifacts / "console"
    folder.mkdir(exist_ok=True)
    return folder


class TestReviewerDecides:
    def test_a_queued_admission_granted_in_french_read_in_arabic(
        self, tab: object, portal: PortalWorld, shots: Path
    ) -> None:
        page, rid = tab, queued_admission(portal)["id"]
        console_sign_in(page, portal.emails["reviewer"])
        page.get_by_role("link", name="Décider les demandes de prise en charge").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/console/authorizations")  # type: ignore[attr-defined]
        page.screenshot(path=shots / "queue-fr.png", full_page=True)  # type: ignore[attr-defined]
        page.get_by_role("link", name=rid).click()  # type: ignore[attr-defined]
        page.wait_for_url(f"**/console/authorizations/{rid}")  # type: ignore[attr-defined]
        page.get_by_label("Accorder", exact=True).check()  # type: ignore[attr-defined]
        page.get_by_label("Motif d'un accord", exact=True).select_option(  # type: ignore[attr-defined]
            "accord-controle-medical"
        )
        page.screenshot(path=shots / "request-fr.png", full_page=True)  # type: ignore[attr-defined]
        page.get_by_role("button", name="Enregistrer la décision").click()  # type: ignore[attr-defined]
        page.wait_for_url("**?done=decided")  # type: ignore[attr-defined]
        assert "Décision enregistrée" in page.get_by_role("status").inner_text()  # type: ignore[attr-defined]
        assert "accordée" in page.locator("main").inner_text()  # type: ignore[attr-defined]
        page.screenshot(path=shots / "decided-fr.png", full_page=True)  # type: ignore[attr-defined]
        in_arabic(page)
        html = page.locator("html")  # type: ignore[attr-defined]
        assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
        assert "مقبول" in page.locator("main").inner_text()  # type: ignore[attr-defined]
        page.screenshot(path=shots / "decided-ar.png", full_page=True)  # type: ignore[attr-defined]
        # The clinic's own person, in a browser of theirs, finds it granted on the portal.
        clinic = page.context.browser.new_context(  # type: ignore[attr-defined]
            base_url=portal.base, viewport={"width": 390, "height": 844}
        )
        try:
            seen = clinic.new_page()
            browser_sign_in(seen, portal.emails["other-admin"])
            seen.goto(f"/portal/authorizations/{rid}")
            said = seen.locator("main").inner_text()
            assert "Prise en charge accordée" in said and "accord-controle-medical" not in said
            seen.screenshot(path=shots / "provider-sees-fr.png", full_page=True)
        finally:
            clinic.close()


class TestFinanceApproves:
    def test_another_officers_change_approved(
        self, tab: object, portal: PortalWorld, shots: Path
    ) -> None:
        accounts = "/console/bank-accounts"
        with httpx.Client(base_url=portal.base, timeout=15) as proposer:
            assert sign_in(proposer, portal.emails["finance"], area="console").status_code == 303
            done = post(proposer, accounts, f"{accounts}/propose",
                        inpe=portal.state.clinic.inpe, rib=rib("4" * 15 + "5"),
                        holder="Clinique du Test")  # fmt: skip
            assert done.status_code == 303
        page = tab
        console_sign_in(page, portal.emails["finance2"])
        page.get_by_role("link", name="Approuver les changements de compte bancaire").click()  # type: ignore[attr-defined]
        page.wait_for_url(f"**{accounts}")  # type: ignore[attr-defined]
        row = page.locator("tr", has_text=portal.state.clinic.inpe)  # type: ignore[attr-defined]
        assert "4445" in row.inner_text()  # the RIB masked, its last digits shown
        page.screenshot(path=shots / "bank-fr.png", full_page=True)  # type: ignore[attr-defined]
        row.get_by_role("button", name="Approuver").click()
        page.wait_for_url("**?done=approved")  # type: ignore[attr-defined]
        assert "nouveau compte est en vigueur" in page.get_by_role("status").inner_text()  # type: ignore[attr-defined]
        in_arabic(page)
        assert page.locator("html").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]
        page.screenshot(path=shots / "bank-ar.png", full_page=True)  # type: ignore[attr-defined]


class TestAccessibility:
    def test_the_console_pages_have_no_serious_violation_in_french_and_arabic(
        self, chromium: object, portal: PortalWorld, settled: Settled, shots: Path
    ) -> None:
        from axe_playwright_python.sync_playwright import Axe

        rid = queued_admission(portal)["id"]
        axe, found = Axe(), {}
        people = {
            "reviewer": ("/console/authorizations", f"/console/authorizations/{rid}",
                         "/console/anomalies", "/console/stats"),
            "finance": ("/console/bank-accounts", "/console/settlements", "/console/stats"),
        }  # fmt: skip
        for name, paths in people.items():
            context = chromium.new_context(  # type: ignore[attr-defined]
                base_url=portal.base, viewport={"width": 390, "height": 844}, locale="fr-MA"
            )
            page = context.new_page()
            console_sign_in(page, portal.emails[name])
            for lang in ("fr", "ar"):
                for path in paths:
                    page.goto(path)
                    found[f"{path}-{lang}-{name}"] = _serious(axe, page)
                    shot = path.strip("/").replace("/", "-")[:40]
                    page.screenshot(path=shots / f"{shot}-{lang}.png", full_page=True)
                if lang == "fr":
                    in_arabic(page)
            assert page.locator("html").get_attribute("dir") == "rtl"
            context.close()
        assert {where: rules for where, rules in found.items() if rules} == {}
