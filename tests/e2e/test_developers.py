"""The API documentation people open: the getting-started page's Python example, run as
written against a real uvicorn; Swagger UI drawn in Chromium from the gateway's own
assets, nothing fetched elsewhere; the page's tables read from the running gateway."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from domain.reasons import ALL_REASONS
from tests.e2e.browser import serious
from tests.e2e.portal_world import PortalWorld
from tests.e2e.support import GatewayState

pytestmark = pytest.mark.e2e
_EXAMPLE = re.compile(r'<pre id="example-python"[^>]*><code>(.*?)</code></pre>', re.S)


def example(base: str) -> str:
    """The page's Python example, as a reader copies it."""
    page = httpx.get(f"{base}/portal/developers", timeout=10)
    assert page.status_code == 200
    found = _EXAMPLE.search(page.text)
    assert found, "the page has no Python example"
    return html.unescape(found.group(1))


def run_example(code: str, state: GatewayState, patient: str, folder: Path) -> str:
    """Run it with this gateway's client and a patient put where the reader puts theirs."""
    code = code.replace(
        'CLIENT_ID = "pharmacie-atlas"', f'CLIENT_ID = "{state.pharmacy.client_id}"'
    )
    code = code.replace('KEY_FILE = "client-key.jwk.json"', f'KEY_FILE = "{state.pharmacy.key}"')
    code = code.replace('PATIENT = "IDCS-DU-PATIENT"', f'PATIENT = "{patient}"')
    script = folder / "first_call.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


class TestGettingStarted:
    def test_the_python_example_gets_a_token_and_an_answer(
        self, live: tuple[str, GatewayState], tmp_path: Path
    ) -> None:
        base, state = live
        code = example(base)
        assert f'BASE = "{base}"' in code  # the gateway's own address, from its settings
        printed = run_example(code, state, state.people["open"][1], tmp_path)
        assert printed.startswith("True "), printed

    def test_the_example_shows_a_refusal_by_its_code(
        self, live: tuple[str, GatewayState], tmp_path: Path
    ) -> None:
        base, state = live
        printed = run_example(example(base), state, "", tmp_path)
        # The refusal's status, its stable code and its sentence; no traceback.
        assert re.fullmatch(r"4\d\d [a-z-]+: .+\n", printed), printed

    def test_the_tables_are_the_gateways_own(self, live: tuple[str, GatewayState]) -> None:
        base, _ = live
        page = httpx.get(f"{base}/portal/developers", timeout=10).text
        paths = httpx.get(f"{base}/openapi.json", timeout=10).json()["paths"]
        fhir = sorted(p for p in paths if p.startswith("/fhir/"))
        assert fhir and all(f"<code>{html.escape(p)}</code>" in page for p in fhir)
        assert all(f"<code>{code}</code>" in page for code in ALL_REASONS)

    def test_english_and_arabic(self, live: tuple[str, GatewayState]) -> None:
        base, _ = live
        english = httpx.get(f"{base}/portal/developers", cookies={"amo_lang": "en"}).text
        arabic = httpx.get(f"{base}/portal/developers", cookies={"amo_lang": "ar"}).text
        assert "Getting started" in english and "Pour commencer" not in english
        assert 'dir="rtl"' in arabic and "Pour commencer" in arabic  # prose in French
        assert "رموز الأخطاء" in arabic


class TestDocsOffline:
    def test_drawn_from_the_gateways_own_assets(self, tab: object, portal: PortalWorld) -> None:
        page, asked = tab, []
        page.on("request", lambda r: asked.append(r.url))  # type: ignore[attr-defined]
        page.goto("/docs")  # type: ignore[attr-defined]
        page.wait_for_selector(".opblock", timeout=30_000)  # type: ignore[attr-defined]
        assert page.get_by_text("CoverageEligibilityRequest").count() > 0  # type: ignore[attr-defined]
        elsewhere = [url for url in asked if not url.startswith((portal.base, "data:", "blob:"))]
        assert elsewhere == []
        assert any("/docs/static/" in url for url in asked)

    def test_the_page_is_accessible_in_french_and_arabic(
        self, tab: object, portal: PortalWorld, artifacts: Path
    ) -> None:
        from axe_playwright_python.sync_playwright import Axe

        page, found = tab, {}
        for lang in ("fr", "ar"):
            page.context.add_cookies([{"name": "amo_lang", "value": lang, "url": portal.base}])  # type: ignore[attr-defined]
            page.goto("/portal/developers")  # type: ignore[attr-defined]
            found[lang] = serious(Axe(), page)
            page.screenshot(path=str(artifacts / f"developers-{lang}.png"), full_page=True)  # type: ignore[attr-defined]
        assert found == {"fr": [], "ar": []}
