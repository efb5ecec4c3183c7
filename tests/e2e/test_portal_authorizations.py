"""The prises en charge pages against a real uvicorn: asking one through the API's own path
(granted at once, or queued with its deadline), documents kept and refused, one request per
Idempotency-Key, the list and its CSV export, cancelling, answering the reviewer; nobody
sees another organization's, nor acts beyond their role."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.documents import PDF, ZIP
from tests.e2e.pa_world import EPOETIN
from tests.e2e.portal_pec import (
    NO_FILE,
    admission,
    ask,
    ask_information,
    costly,
    pec_of,
    reviewer_of,
    signed,
)
from tests.e2e.portal_world import PortalWorld, csrf_of
from tests.e2e.support import Client

pytestmark = pytest.mark.e2e


@pytest.fixture
def browser(portal: PortalWorld) -> Iterator[httpx.Client]:
    """A cookie-keeping client that does not follow redirects."""
    with httpx.Client(base_url=portal.base, timeout=20) as client:
        yield client


@pytest.fixture(scope="module")
def reviewer(portal: PortalWorld, tmp_path_factory: pytest.TempPathFactory) -> Client:
    """The CNSS medical review unit, as the command line registers it."""
    return reviewer_of(portal, tmp_path_factory.mktemp("pec-reviewer"), "CM-PORTAIL")


class TestAsking:
    def test_a_costly_drug_is_granted_at_once_with_its_attestation(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        pec = pec_of(ask(signed(portal, browser, "pharmacist"), costly(portal)))
        page = browser.get(f"/portal/authorizations/{pec}?done=requested")
        assert page.status_code == 200
        assert "Prise en charge accordée" in page.text and "Demande envoyée." in page.text
        assert EPOETIN in page.text and "Néphrologie" not in page.text  # lines, not the form
        assert f"/portal/authorizations/{pec}/attestation" in page.text
        attested = browser.get(f"/portal/authorizations/{pec}/attestation")
        assert attested.status_code == 200
        assert "Attestation de prise en charge" in attested.text
        assert re.search(rf"{pec}-[0-9A-F]{{4}}-[0-9A-F]{{4}}", attested.text)
        assert portal.state.people["dialysis"][1] in attested.text

    def test_an_admission_is_queued_with_its_deadline_and_no_attestation(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        pec = pec_of(ask(signed(portal, browser, "other-admin"), admission(portal)))
        page = browser.get(f"/portal/authorizations/{pec}")
        assert "Demande en attente de la décision" in page.text
        assert "Réponse attendue avant" in page.text
        refused = browser.get(f"/portal/authorizations/{pec}/attestation")
        assert refused.status_code == 409
        assert "Pas d&#39;attestation" in refused.text

    def test_a_document_is_kept_and_listed(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        files = [("documents", ("compte-rendu.pdf", PDF, "application/pdf"))]
        pec = pec_of(ask(signed(portal, browser, "pharmacist"), costly(portal), files))
        page = browser.get(f"/portal/authorizations/{pec}")
        assert "compte-rendu.pdf" in page.text and "application/pdf" in page.text

    def test_a_document_too_big_is_refused_with_the_api_s_reason(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        limit = portal.state.settings.max_attachment_bytes
        big = PDF + b"0" * (limit + 1 - len(PDF))
        files = [("documents", ("scan.pdf", big, "application/pdf"))]
        answer = ask(signed(portal, browser, "pharmacist"), costly(portal), files)
        assert answer.status_code == 413
        assert "Demande non envoyée" in answer.text and "par pièce jointe" in answer.text
        assert f'value="{EPOETIN}"' in answer.text  # the fields kept

    def test_a_scan_heavier_than_a_plain_request_is_sent_whole(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        """A phone's photo of the prescription weighs more than a request without documents
        may: within its own limit, it goes with the request and the reviewer gets it."""
        settings = portal.state.settings
        assert settings.max_body_bytes < settings.max_attachment_bytes
        heavy = PDF + b"0" * settings.max_body_bytes
        files = [("documents", ("ordonnance.pdf", heavy, "application/pdf"))]
        client = signed(portal, browser, "pharmacist")
        pec = pec_of(ask(client, costly(portal), files))
        page = client.get(f"/portal/authorizations/{pec}")
        assert page.status_code == 200 and "ordonnance.pdf" in page.text

    def test_a_document_of_another_kind_is_refused(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        files = [("documents", ("archive.zip", ZIP, "application/zip"))]
        answer = ask(signed(portal, browser, "pharmacist"), costly(portal), files)
        assert answer.status_code == 422 and "Type de document refusé" in answer.text

    def test_an_unknown_patient_is_said_in_the_person_s_words(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        answer = ask(signed(portal, browser, "pharmacist"), costly(portal, value="12"))
        assert 400 <= answer.status_code < 500
        assert "Demande non envoyée" in answer.text and 'value="12"' in answer.text

    def test_the_same_key_twice_asks_once(self, portal: PortalWorld, browser: httpx.Client) -> None:
        client = signed(portal, browser, "desk")
        before = client.get("/portal/authorizations").text.count("<tr")
        first = pec_of(ask(client, costly(portal, quantity0="2"), key="pec-portal-double-1"))
        second = pec_of(ask(client, costly(portal, quantity0="2"), key="pec-portal-double-1"))
        assert first == second
        assert client.get("/portal/authorizations").text.count("<tr") == before + 1


class TestList:
    def test_newest_first_masked_and_exported(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        client = signed(portal, browser, "pharmacist")
        pec = pec_of(ask(client, costly(portal, quantity0="1")))
        page = client.get("/portal/authorizations")
        assert page.status_code == 200
        newest = re.search(r'<td><a href="/portal/authorizations/([^"]+)"', page.text)
        assert newest is not None and newest.group(1) == pec
        idcs = portal.state.people["dialysis"][1]
        assert idcs not in page.text and f"••••••{idcs[-4:]}" in page.text
        later = client.get("/portal/authorizations?offset=1")  # newest first: skipped
        assert pec not in later.text and "Page précédente" in later.text
        granted = client.get("/portal/authorizations?status=granted")
        assert pec in granted.text
        assert pec not in client.get("/portal/authorizations?status=refused").text
        exported = client.get("/portal/authorizations?format=csv")
        assert exported.status_code == 200 and "text/csv" in exported.headers["content-type"]
        assert exported.content.startswith("\ufeff".encode())
        lines = exported.content.decode("utf-8-sig").splitlines()
        assert lines[0].split(";")[0] == "N° de prise en charge"
        assert any(line.startswith(f"{pec};") and line.endswith(";granted") for line in lines)
        assert client.get("/portal/authorizations/export.csv").text == exported.text


class TestActing:
    def test_cancel_needs_confirming_then_cancels(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        client = signed(portal, browser, "pharmacist")
        pec = pec_of(ask(client, costly(portal, quantity0="1")))
        page = client.get(f"/portal/authorizations/{pec}")
        unconfirmed = client.post(f"/portal/authorizations/{pec}/cancel",
                                  data={"csrf": csrf_of(page)})  # fmt: skip
        assert unconfirmed.status_code == 422 and "Cochez la case" in unconfirmed.text
        done = client.post(f"/portal/authorizations/{pec}/cancel",
                           data={"csrf": csrf_of(page), "confirm": "1"})  # fmt: skip
        assert done.status_code == 303
        after = client.get(done.headers["location"])
        assert "Prise en charge annulée" in after.text
        assert client.get(f"/portal/authorizations/{pec}/attestation").status_code == 409

    def test_the_reviewer_s_question_is_answered_with_a_document(
        self, portal: PortalWorld, browser: httpx.Client, reviewer: Client
    ) -> None:
        client = signed(portal, browser, "other-admin")
        pec = pec_of(ask(client, admission(portal)))
        request_id = ask_information(portal, reviewer, pec, "Le rapport médical, svp")
        page = client.get(f"/portal/authorizations/{pec}")
        assert "Le rapport médical, svp" in page.text and "en attente de votre réponse" in page.text
        sent = client.post(
            f"/portal/authorizations/{pec}/information/{request_id}",
            data={"csrf": csrf_of(page), "text": "Rapport ci-joint"},
            files=[("documents", ("rapport.pdf", PDF, "application/pdf"))],
        )
        assert sent.status_code == 303, sent.text[:2000]
        after = client.get(sent.headers["location"])
        assert "Réponse envoyée" in after.text and "Rapport ci-joint" in after.text
        assert "rapport.pdf" in after.text and "répondu" in after.text
        again = client.post(
            f"/portal/authorizations/{pec}/information/{request_id}",
            data={"csrf": csrf_of(after), "text": "Encore"},
            files=NO_FILE,
        )
        assert again.status_code == 409


class TestRefusals:
    def test_another_organization_s_pec_is_not_found(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        with httpx.Client(base_url=portal.base, timeout=20) as other:
            pec = pec_of(ask(signed(portal, other, "other-admin"), admission(portal)))
        client = signed(portal, browser, "pharmacist")
        for path in ("", "/attestation"):
            assert client.get(f"/portal/authorizations/{pec}{path}").status_code == 404
        page = client.get("/portal/authorizations")
        cancelled = client.post(f"/portal/authorizations/{pec}/cancel",
                                data={"csrf": csrf_of(page), "confirm": "1"})  # fmt: skip
        assert cancelled.status_code == 404
        assert pec not in page.text

    def test_the_desk_may_ask_but_not_the_accountant(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        with httpx.Client(base_url=portal.base, timeout=20) as desk:
            form = signed(portal, desk, "desk").get("/portal/authorizations/new")
            assert form.status_code == 200
        client = signed(portal, browser, "accountant")
        for path in ("", "/new", "/export.csv"):
            assert client.get(f"/portal/authorizations{path}").status_code == 403
        page = client.get("/portal")
        posted = client.post("/portal/authorizations/new",
                             data={"csrf": csrf_of(page), **costly(portal)})  # fmt: skip
        assert posted.status_code == 403

    def test_a_request_without_its_csrf_token_is_refused(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        client = signed(portal, browser, "pharmacist")
        before = client.get("/portal/authorizations").text.count("<tr")
        plain = client.post("/portal/authorizations/new", data=costly(portal))
        multipart = client.post("/portal/authorizations/new", data=costly(portal), files=NO_FILE)
        assert plain.status_code == multipart.status_code == 403
        assert client.get("/portal/authorizations").text.count("<tr") == before
