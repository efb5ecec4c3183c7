"""A pharmacist in a real headless Chromium (Debian's) against a real uvicorn: asks a
costly-drug prise en charge granted at once, opens its attestation and saves it as PDF, in
French then in Arabic; axe-core finds no serious violation on the list, the form, the detail
and the attestation in either language. Screenshots and PDFs go to artifacts/pec/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.documents import PDF
from tests.e2e.browser import serious as _serious
from tests.e2e.browser import sign_in as _sign_in
from tests.e2e.pa_world import EPOETIN
from tests.e2e.portal_pec import ask_information, reviewer_of
from tests.e2e.portal_world import PortalWorld

pytestmark = pytest.mark.e2e


def _ask(page: object, idcs: str, submit: str) -> None:
    """Fill the form for four boxes of epoetin, a prescription joined, and send it."""
    page.locator("#value").fill(idcs)  # type: ignore[attr-defined]
    page.locator("#pa_type").select_option("costly-drug")  # type: ignore[attr-defined]
    page.locator("#specialty").select_option("nephrologie")  # type: ignore[attr-defined]
    page.locator("#code0").fill(EPOETIN)  # type: ignore[attr-defined]
    page.locator("#quantity0").fill("4")  # type: ignore[attr-defined]
    page.locator("#amount0").fill("5000")  # type: ignore[attr-defined]
    page.locator("#documents").set_input_files(  # type: ignore[attr-defined]
        {"name": "ordonnance.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name=submit, exact=True).click()  # type: ignore[attr-defined]
    page.wait_for_url("**/portal/authorizations/*?done=requested")  # type: ignore[attr-defined]


def _attest(page: object, shots: Path, lang: str) -> None:
    """Open the attestation, check it prints without the bar, keep a screenshot and a PDF."""
    page.locator("a[href$='/attestation']").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/attestation")  # type: ignore[attr-defined]
    assert page.locator(".verify").is_visible()  # type: ignore[attr-defined]
    page.screenshot(path=shots / f"attestation-{lang}.png", full_page=True)  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    assert not page.locator("header.bar").is_visible()  # type: ignore[attr-defined]
    assert page.locator("article.attestation").is_visible()  # type: ignore[attr-defined]
    page.screenshot(path=shots / f"attestation-{lang}-print.png", full_page=True)  # type: ignore[attr-defined]
    page.pdf(path=shots / f"attestation-{lang}.pdf", format="A4", print_background=True)  # type: ignore[attr-defined]
    page.emulate_media(media="screen")  # type: ignore[attr-defined]


class TestPharmacistAsksAPec:
    def test_granted_at_once_attested_and_printed_in_french_and_arabic(
        self, tab: object, portal: PortalWorld, artifacts: Path
    ) -> None:
        from axe_playwright_python.sync_playwright import Axe

        page, axe, found = tab, Axe(), {}
        shots = artifacts / "pec"
        shots.mkdir(exist_ok=True)
        idcs = portal.state.people["dialysis"][1]
        _sign_in(page, portal.emails["pharmacist"])
        page.get_by_role("link", name="Demander et suivre les prises en charge").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/portal/authorizations")  # type: ignore[attr-defined]
        for lang, new, submit, granted in (
            (
                "fr",
                "Demander une prise en charge",
                "Envoyer la demande",
                "Prise en charge accordée",
            ),
            ("ar", "طلب تكفل", "إرسال الطلب", None),
        ):
            if lang == "ar":
                page.get_by_label("Langue").select_option("ar")  # type: ignore[attr-defined]
                page.get_by_role("button", name="Changer").click()  # type: ignore[attr-defined]
                page.wait_for_url("**/portal/authorizations")  # type: ignore[attr-defined]
                assert page.locator("html").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]
            found[f"list-{lang}"] = _serious(axe, page)
            page.get_by_role("link", name=new, exact=True).click()  # type: ignore[attr-defined]
            page.wait_for_url("**/portal/authorizations/new")  # type: ignore[attr-defined]
            found[f"form-{lang}"] = _serious(axe, page)
            page.screenshot(path=shots / f"form-{lang}.png", full_page=True)  # type: ignore[attr-defined]
            _ask(page, idcs, submit)
            said = page.locator("main").inner_text()  # type: ignore[attr-defined]
            assert EPOETIN in said and "ordonnance.pdf" in said
            if granted is not None:
                assert granted in said
            found[f"detail-{lang}"] = _serious(axe, page)
            page.screenshot(path=shots / f"detail-{lang}.png", full_page=True)  # type: ignore[attr-defined]
            _attest(page, shots, lang)
            found[f"attestation-{lang}"] = _serious(axe, page)
            page.goto("/portal/authorizations")  # type: ignore[attr-defined]
            page.screenshot(path=shots / f"list-{lang}.png", full_page=True)  # type: ignore[attr-defined]
        assert {where: rules for where, rules in found.items() if rules} == {}
        for lang in ("fr", "ar"):
            assert (shots / f"attestation-{lang}.pdf").read_bytes().startswith(b"%PDF-")
        assert len(list(shots.glob("*.png"))) == 10


class TestClerkAnswersTheReviewer:
    def test_a_queued_admission_s_question_answered_with_a_document(
        self, tab: object, portal: PortalWorld, artifacts: Path,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:  # fmt: skip
        from axe_playwright_python.sync_playwright import Axe

        page, axe, found = tab, Axe(), {}
        shots = artifacts / "pec-information"
        shots.mkdir(exist_ok=True)
        reviewer = reviewer_of(portal, tmp_path_factory.mktemp("pec-browser"), "CM-NAVIGATEUR")
        _sign_in(page, portal.emails["other-admin"])
        page.goto("/portal/authorizations/new")  # type: ignore[attr-defined]
        page.locator("#value").fill(portal.state.people["ald"][1])  # type: ignore[attr-defined]
        page.locator("#pa_type").select_option("hospitalisation")  # type: ignore[attr-defined]
        page.locator("#code0").fill("hospitalisation")  # type: ignore[attr-defined]
        page.locator("#quantity0").fill("3")  # type: ignore[attr-defined]
        page.locator("#amount0").fill("9000")  # type: ignore[attr-defined]
        page.get_by_role("button", name="Envoyer la demande").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/portal/authorizations/*?done=requested")  # type: ignore[attr-defined]
        assert "Réponse attendue avant" in page.locator("main").inner_text()  # type: ignore[attr-defined]
        pec = page.url.split("/")[-1].split("?")[0]  # type: ignore[attr-defined]
        ask_information(portal, reviewer, pec, "Le devis détaillé de l'établissement")
        page.goto(f"/portal/authorizations/{pec}")  # type: ignore[attr-defined]
        found["asked-fr"] = _serious(axe, page)
        page.screenshot(path=shots / "asked-fr.png", full_page=True)  # type: ignore[attr-defined]
        page.get_by_label("Votre réponse", exact=True).fill("Devis ci-joint")  # type: ignore[attr-defined]
        page.get_by_label("Documents à joindre").set_input_files(  # type: ignore[attr-defined]
            {"name": "devis.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_role("button", name="Envoyer la réponse").click()  # type: ignore[attr-defined]
        page.wait_for_url("**?done=answered")  # type: ignore[attr-defined]
        said = page.locator("main").inner_text()  # type: ignore[attr-defined]
        assert "Devis ci-joint" in said and "devis.pdf" in said and "répondu" in said
        found["answered-fr"] = _serious(axe, page)
        page.get_by_label("Langue").select_option("ar")  # type: ignore[attr-defined]
        page.get_by_role("button", name="Changer").click()  # type: ignore[attr-defined]
        page.wait_for_load_state()  # type: ignore[attr-defined]
        assert "تم الجواب" in page.locator("main").inner_text()  # type: ignore[attr-defined]
        found["answered-ar"] = _serious(axe, page)
        page.screenshot(path=shots / "answered-ar.png", full_page=True)  # type: ignore[attr-defined]
        assert {where: rules for where, rules in found.items() if rules} == {}
