"""A real headless Chromium (Debian's package: nothing downloaded) for the extranet's browser
tests, and what those tests share: signing in through the form, axe-core's serious findings.
The fixtures are made available to every test module by tests/e2e/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.portal_world import PASSWORD, PortalWorld
from tests.e2e.services import unavailable

CHROMIUM = Path(os.environ.get("AMO_TEST_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go."""
    folder = tmp_path_factory.getbasetemp() / "artifacts"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """One headless Chromium for the module (Debian's package: nothing downloaded)."""
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (make browser installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def tab(chromium: object, portal: PortalWorld) -> Iterator[object]:
    """A fresh browser context (its own cookies) on a small phone's screen."""
    context = chromium.new_context(  # type: ignore[attr-defined]
        base_url=portal.base, viewport={"width": 390, "height": 844}, locale="fr-MA"
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def serious(axe: object, page: object) -> list[str]:
    """The ids of the rules the page breaks with a serious or critical impact (axe-core)."""
    results = axe.run(page)  # type: ignore[attr-defined]
    violations = results.response["violations"]
    return [v["id"] for v in violations if v.get("impact") in ("serious", "critical")]


def sign_in(page: object, email: str) -> None:
    """Sign in through the form, as a person does."""
    page.goto("/portal/login")  # type: ignore[attr-defined]
    page.get_by_label("Adresse électronique").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Mot de passe").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Se connecter").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/portal")  # type: ignore[attr-defined]


def check_rights(page: object, idcs: str, submit: str = "Vérifier") -> None:
    """Fill the rights form for a pharmacy's care and send it."""
    page.locator("#value").fill(idcs)  # type: ignore[attr-defined]
    page.locator("input[name=category][value=pharmacy]").check()  # type: ignore[attr-defined]
    page.get_by_role("button", name=submit, exact=True).click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
