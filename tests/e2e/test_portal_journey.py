"""The pharmacist's whole journey in a real headless Chromium (Debian's) on a phone's screen,
against a gateway of its own: signs in, checks the patient's rights, asks a costly-drug prise
en charge granted at once, prints its attestation, checks the claim at the counter and bills
it; the payer's cycle pays it and the bank's statement says so; the pharmacist then finds the
claim in the transfer that paid it. Once in French, once in Arabic (right to left).
Screenshots and the attestations' PDFs go to artifacts/journey/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from devtools.server import free_port, running
from gateway.bootstrap import open_storage
from gateway.commands.settlement import approve, propose, run_cycle, run_statement
from tests.bank_documents import Booked, camt054
from tests.e2e.browser import check_rights, sign_in
from tests.e2e.portal_money import api, rib
from tests.e2e.portal_world import PortalWorld, add_people
from tests.e2e.support import prepare_state
from tests.e2e.test_portal_claim_browser import _fill
from tests.e2e.test_portal_pec_browser import _ask, _attest

pytestmark = pytest.mark.e2e
_PEC = re.compile(r"/portal/authorizations/([0-9A-Za-z-]+)\?done=requested")
WORDS = {
    "fr": {"rights": "Vérifier", "covered": "droits ouverts", "pec": "Envoyer la demande",
           "granted": "Prise en charge accordée", "check": "Vérifier au comptoir",
           "bill": "Facturer", "answered": "Réponse à la facture"},
    "ar": {"rights": "تحقق", "covered": "الحقوق مفتوحة", "pec": "إرسال الطلب", "granted": "",
           "check": "تحقق في الشباك", "bill": "فوترة", "answered": "الرد على الفاتورة"},
}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalWorld]:
    """A gateway of this journey's own: its settlement touches no other test's figures."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    work = tmp_path_factory.mktemp("journey")
    prepared = prepare_state(work, base, AMO_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE="10000")
    emails = add_people(prepared)
    with running(prepared.env, port, work / "server.log"):
        yield PortalWorld(base, prepared, emails)


def _arabic(page: object) -> None:
    page.get_by_label("Langue").select_option("ar")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Changer").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]


def _bills(page: object, world: PortalWorld, shots: Path, lang: str, day: date) -> str:
    """Rights, prise en charge, attestation, counter check, bill: the claim's number."""
    words, idcs = WORDS[lang], world.state.people["dialysis"][1]
    page.goto("/portal/rights")  # type: ignore[attr-defined]
    check_rights(page, idcs, submit=words["rights"])
    said = page.get_by_role("status").inner_text()  # type: ignore[attr-defined]
    assert words["covered"] in said and "ALD17" in said, said
    page.screenshot(path=shots / f"1-rights-{lang}.png", full_page=True)  # type: ignore[attr-defined]
    page.goto("/portal/authorizations/new")  # type: ignore[attr-defined]
    page.locator("#date").fill(day.isoformat())  # type: ignore[attr-defined]  # of the care
    _ask(page, idcs, words["pec"])
    found = _PEC.search(page.url)  # type: ignore[attr-defined]
    assert found, page.url  # type: ignore[attr-defined]
    if words["granted"]:
        assert words["granted"] in page.locator("main").inner_text()  # type: ignore[attr-defined]
    page.screenshot(path=shots / f"2-pec-{lang}.png", full_page=True)  # type: ignore[attr-defined]
    _attest(page, shots, lang)
    page.goto("/portal/claims/new")  # type: ignore[attr-defined]
    _fill(page, idcs, day, found.group(1))
    page.get_by_role("button", name=words["check"]).click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    page.screenshot(path=shots / f"3-check-{lang}.png", full_page=True)  # type: ignore[attr-defined]
    page.get_by_role("button", name=words["bill"], exact=True).click()  # type: ignore[attr-defined]
    page.wait_for_url("**/portal/claims/*")  # type: ignore[attr-defined]
    main = page.locator("main").inner_text()  # type: ignore[attr-defined]
    assert words["answered"] in main, main
    page.screenshot(path=shots / f"4-bill-{lang}.png", full_page=True)  # type: ignore[attr-defined]
    number = re.search(r"PORTAIL-[0-9A-Za-z_-]+", main)  # the form's key is URL-safe base64
    assert number, main
    return number.group(0)


def _paid(world: PortalWorld, folder: Path) -> dict[str, str]:
    """The payers' cycles on the claims' due day and the bank's statement: the transfers
    (end-to-end id by claim number) the bank executed."""
    debtors = f"CNSS={rib('9' * 16)},CNOPS={rib('8' * 16)}"
    settings = replace(world.state.settings, settlement_dir=folder, settlement_debtors=debtors)
    with open_storage(settings) as storage, storage.uow() as uow:
        pharmacy = uow.providers.by_inpe(world.state.pharmacy.inpe)
        assert pharmacy is not None
    propose(settings, pharmacy.id, rib("0" * 15 + "7"), "finance-1")
    approve(settings, pharmacy.id, "finance-2")
    headers = api(world)
    due = date.today() + timedelta(days=120)  # past every payment term
    for payer in ("CNSS", "CNOPS"):
        assert run_cycle(settings, payer, due, quiet=True)[1] == []
    made = httpx.get(f"{world.base}/fhir/PaymentReconciliation", headers=headers).json()
    transfers = [entry["resource"] for entry in made["entry"]]
    statement = folder / "camt054.xml"
    statement.write_bytes(camt054([Booked(t["paymentIdentifier"]["value"],
                                          round(t["paymentAmount"]["value"] * 100))
                                   for t in transfers], date.today()))  # fmt: skip
    run_statement(settings, statement)
    return {d["request"]["identifier"]["value"]: t["paymentIdentifier"]["value"]
            for t in transfers for d in t["detail"]}  # fmt: skip


@pytest.fixture
def page(world: PortalWorld, chromium: object) -> Iterator[object]:
    """A fresh browser context on this journey's gateway, on a small phone's screen."""
    context = chromium.new_context(  # type: ignore[attr-defined]
        base_url=world.base, viewport={"width": 390, "height": 844}, locale="fr-MA"
    )
    context.set_default_navigation_timeout(60_000)
    try:
        yield context.new_page()
    finally:
        context.close()


class TestPharmacistJourney:
    def test_from_the_rights_to_the_money_in_french_then_in_arabic(
        self, world: PortalWorld, page: object, artifacts: Path, tmp_path: Path
    ) -> None:
        shots = artifacts / "journey"
        shots.mkdir(exist_ok=True)
        sign_in(page, world.emails["pharmacist"])
        # Two supplies of 4 boxes 15 days apart, within the 3 months a costly drug is billed in.
        claims = {"fr": _bills(page, world, shots, "fr", date.today() - timedelta(days=20))}
        _arabic(page)
        claims["ar"] = _bills(page, world, shots, "ar", date.today() - timedelta(days=35))
        paid_by = _paid(world, tmp_path)
        for lang, claim in claims.items():
            assert claim in paid_by, (claim, paid_by)
            if lang == "fr":
                page.get_by_label("اللغة").select_option("fr")  # type: ignore[attr-defined]
                page.locator("form.lang button").click()  # type: ignore[attr-defined]
                page.wait_for_load_state()  # type: ignore[attr-defined]
            else:
                _arabic(page)
            page.goto("/portal/payments")  # type: ignore[attr-defined]
            assert paid_by[claim] in page.locator("main").inner_text()  # type: ignore[attr-defined]
            page.screenshot(path=shots / f"5-payments-{lang}.png", full_page=True)  # type: ignore[attr-defined]
            page.goto(f"/portal/payments/transfers/{paid_by[claim]}")  # type: ignore[attr-defined]
            assert claim in page.locator("main").inner_text()  # type: ignore[attr-defined]
            page.screenshot(path=shots / f"6-transfer-{lang}.png", full_page=True)  # type: ignore[attr-defined]
        assert page.locator("html").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]
