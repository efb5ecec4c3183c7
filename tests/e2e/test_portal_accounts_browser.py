"""A person switches their second factor on in a real headless Chromium, in French then in
Arabic, reading the key off the page as they would off their phone's app; the security and
accounts pages pass axe-core in both languages. Screenshots go to artifacts/accounts/."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.accounts_steps import new_colleague
from tests.e2e.browser import serious, sign_in
from tests.e2e.portal_world import PASSWORD, PortalWorld

pytestmark = pytest.mark.e2e
# What each language's page says and is clicked by.
WORDS = {
    "fr": ("Sécurité de mon compte (second facteur)", "Activer", "Second facteur activé"),
    "ar": ("أمان حسابي (العامل الثاني)", "تفعيل", "تم تفعيل العامل الثاني"),
}


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    """This module's screenshots, apart from the other modules'."""
    folder = artifacts / "accounts"
    folder.mkdir(exist_ok=True)
    return folder


def _language(page: object, lang: str) -> None:
    if lang == "fr":
        return
    page.get_by_label("Langue").select_option(lang)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Changer").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_person_switches_the_second_factor_on(
    tab: object, portal: PortalWorld, shots: Path, lang: str
) -> None:
    page, (link, submit, done) = tab, WORDS[lang]
    email = new_colleague(portal, "pharmacist")
    sign_in(page, email)
    _language(page, lang)
    page.get_by_role("link", name=link).click()  # type: ignore[attr-defined]
    page.wait_for_url("**/portal/security")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")  # type: ignore[attr-defined]
    qr = page.locator(".qr img")  # type: ignore[attr-defined]
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")  # drawn: CSP allows it
    assert email in str(qr.get_attribute("alt"))
    page.screenshot(path=shots / f"security-{lang}.png", full_page=True)  # type: ignore[attr-defined]
    axe = Axe()
    assert serious(axe, page) == []
    secret = page.locator("#totp-key").inner_text().replace(" ", "")  # type: ignore[attr-defined]
    page.locator("#enable-password").fill(PASSWORD)  # type: ignore[attr-defined]
    page.locator("#enable-code").fill(pyotp.TOTP(secret).now())  # type: ignore[attr-defined]
    page.get_by_role("button", name=submit, exact=True).click()  # type: ignore[attr-defined]
    page.wait_for_url("**/security?done=enabled")  # type: ignore[attr-defined]
    assert done in page.get_by_role("status").inner_text()  # type: ignore[attr-defined]
    assert page.locator("#disable-code").is_visible()  # type: ignore[attr-defined]
    page.screenshot(path=shots / f"security-on-{lang}.png", full_page=True)  # type: ignore[attr-defined]
    assert serious(axe, page) == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_accounts_page_passes_axe(
    tab: object, portal: PortalWorld, shots: Path, lang: str
) -> None:
    page = tab
    sign_in(page, portal.emails["admin"])
    _language(page, lang)
    page.goto("/portal/users")  # type: ignore[attr-defined]
    assert page.locator("form.act").count() > 0  # type: ignore[attr-defined]
    page.screenshot(path=shots / f"users-{lang}.png", full_page=True)  # type: ignore[attr-defined]
    assert serious(Axe(), page) == []
