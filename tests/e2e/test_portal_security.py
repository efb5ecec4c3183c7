"""The extranet's defences against a real uvicorn: CSRF, session fixation, sign-in
throttling, organizations and roles kept apart, signing out everywhere."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.cli import main
from tests.e2e.portal_world import PASSWORD, PortalWorld, csrf_of, sign_in
from tests.e2e.support import IDCS, Client, token_form

pytestmark = pytest.mark.e2e


@pytest.fixture
def browser(portal: PortalWorld) -> Iterator[httpx.Client]:
    """A cookie-keeping client that does not follow redirects."""
    with httpx.Client(base_url=portal.base, timeout=10) as client:
        yield client


def _client(portal: PortalWorld) -> httpx.Client:
    return httpx.Client(base_url=portal.base, timeout=10)


class TestCsrf:
    def test_a_sign_in_without_the_form_s_token_is_refused(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        browser.get("/portal/login")
        form = {"email": portal.emails["pharmacist"], "password": PASSWORD}
        assert browser.post("/portal/login", data=form).status_code == 403
        forged = browser.post("/portal/login", data={**form, "csrf": "0" * 64})
        assert forged.status_code == 403
        assert "Formulaire expiré ou invalide" in forged.text
        assert "amo_session" not in browser.cookies

    def test_a_signed_in_form_without_its_token_is_refused(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        assert sign_in(browser, portal.emails["pharmacist"]).status_code == 303
        asked = {"kind": "IDCS", "value": portal.state.people["open"][1], "date": "2026-01-05"}
        assert browser.post("/portal/rights", data=asked).status_code == 403
        assert browser.post("/portal/logout", data={}).status_code == 403
        assert browser.get("/portal").status_code == 200  # still signed in

    def test_a_token_from_another_session_is_refused(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        with _client(portal) as other:
            sign_in(other, portal.emails["desk"])
            theirs = csrf_of(other.get("/portal/rights"))
        sign_in(browser, portal.emails["pharmacist"])
        assert browser.post("/portal/logout", data={"csrf": theirs}).status_code == 403


class TestSessionFixation:
    def test_the_id_held_before_signing_in_opens_nothing_after(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        browser.get("/portal/login")
        before = browser.cookies["amo_pre"]
        host = portal.base.split("//")[1].split(":")[0]
        browser.cookies.set("amo_session", before, domain=host, path="/")  # planted
        signed = sign_in(browser, portal.emails["pharmacist"])
        after = signed.cookies["amo_session"]
        assert after != before
        with _client(portal) as attacker:
            attacker.cookies.set("amo_session", before)
            refused = attacker.get("/portal")
        assert refused.status_code == 303 and refused.headers["location"] == "/portal/login"
        assert browser.get("/portal").status_code == 200

    def test_the_session_cookie_is_http_only_and_same_site(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        header = sign_in(browser, portal.emails["pharmacist"]).headers["set-cookie"]
        assert "amo_session=" in header
        assert "HttpOnly" in header and "SameSite=lax" in header
        assert "Secure" not in header  # served over http on loopback

    def test_over_https_the_cookies_are_secure(self, portal: PortalWorld) -> None:
        settings = replace(portal.state.settings, public_url="https://portail.example.ma")
        with TestClient(create_app(settings), base_url="https://testserver") as client:
            page = client.get("/portal/login")
            assert "Secure" in page.headers["set-cookie"]  # the visitor's, too
            form = {"csrf": csrf_of(page), "email": portal.emails["desk"], "password": PASSWORD}
            signed = client.post("/portal/login", data=form, follow_redirects=False)
        assert signed.status_code == 303
        assert "amo_session=" in signed.headers["set-cookie"]
        assert "Secure" in signed.headers["set-cookie"]


class TestShell:
    def test_each_side_s_sign_in_page_names_its_extranet(self, browser: httpx.Client) -> None:
        console = browser.get("/console/login")
        assert "Console des organismes payeurs" in console.text
        assert 'action="/console/language"' in console.text
        assert "Portail des prestataires" in browser.get("/portal/login").text

    def test_the_stylesheet_is_the_gateway_s_own(self, browser: httpx.Client) -> None:
        page = browser.get("/portal/login")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        css = browser.get("/portal/static/portal.css")
        assert css.status_code == 200 and "text/css" in css.headers["content-type"]
        assert "http" not in css.text  # nothing fetched from elsewhere


class TestLanguage:
    def test_the_language_switch_goes_back_to_our_own_pages_only(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        token = csrf_of(browser.get("/portal/login"))
        for elsewhere in ("//evil.example/portal", "https://evil.example", "/portal//x"):
            form = {"csrf": token, "lang": "ar", "next": elsewhere}
            answer = browser.post("/portal/language", data=form)
            assert answer.status_code == 303 and answer.headers["location"] == "/portal"
        page = browser.get("/portal/login")
        assert 'dir="rtl"' in page.text and "تسجيل الدخول" in page.text


class TestThrottle:
    def test_failures_past_the_limit_lock_the_account_with_a_french_message(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        email = portal.emails["throttled"]
        for _ in range(5):
            assert sign_in(browser, email, "not the password").status_code == 401
        assert sign_in(browser, email, "not the password").status_code == 429
        refused = sign_in(browser, email)  # the right password, too late
        assert refused.status_code == 429
        assert "Trop de tentatives de connexion" in refused.text
        assert int(refused.headers["retry-after"]) > 60  # locked for a while

    def test_signing_in_often_with_the_right_password_is_not_throttled(
        self, portal: PortalWorld
    ) -> None:
        for _ in range(7):
            with _client(portal) as client:
                assert sign_in(client, portal.emails["desk"]).status_code == 303


class TestSecondFactor:
    def test_an_account_enrolled_from_the_command_line_needs_its_code(
        self,
        portal: PortalWorld,
        browser: httpx.Client,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        for name, value in portal.state.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        email = "totp@pharmacy.example.ma"
        argv = ["users", "add", "--org", portal.state.pharmacy.inpe, "--email", email,
                "--role", "admin", "--password-stdin", "--totp"]  # fmt: skip
        assert main(argv) == 0
        uri = re.search(r"otpauth://\S+", capsys.readouterr().out)
        assert uri, "the enrolment URI is printed"
        secret = parse_qs(urlsplit(uri[0]).query)["secret"][0]
        assert sign_in(browser, email).status_code == 401
        assert sign_in(browser, email, code="000000").status_code == 401
        assert sign_in(browser, email, code=pyotp.TOTP(secret).now()).status_code == 303
        assert browser.get("/portal/users").status_code == 200


class TestOrganizations:
    def test_another_provider_s_admin_sees_only_its_own_accounts(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["other-admin"])
        listed = browser.get("/portal/users")
        assert listed.status_code == 200
        assert portal.emails["other-admin"] in listed.text
        assert portal.emails["pharmacist"] not in listed.text

    def test_a_payer_s_reviewer_cannot_open_the_provider_portal(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        assert sign_in(browser, portal.emails["reviewer"], area="console").status_code == 303
        assert browser.get("/console").status_code == 200
        refused = browser.get("/portal/rights")
        assert refused.status_code == 403
        assert "réservé aux prestataires" in refused.text

    def test_a_pharmacist_cannot_open_the_payer_console(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["pharmacist"])
        assert browser.get("/console").status_code == 403


class TestRoles:
    def test_a_desk_clerk_cannot_reach_the_admin_s_accounts_page(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["desk"])
        refused = browser.get("/portal/users")
        assert refused.status_code == 403
        assert portal.emails["admin"] not in refused.text

    def test_the_admin_lists_the_provider_s_accounts(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["admin"])
        listed = browser.get("/portal/users")
        assert listed.status_code == 200
        assert portal.emails["desk"] in listed.text and "accueil" in listed.text

    def test_an_accountant_is_not_offered_the_rights_check(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["roaming"])
        assert "/portal/rights" not in browser.get("/portal").text
        assert browser.get("/portal/rights").status_code == 403


class TestAccountsPage:
    def test_the_admin_gives_a_colleague_an_account_who_then_signs_in(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["admin"])
        form = {"csrf": csrf_of(browser.get("/portal/users")), "email": "new@pharmacy.example.ma",
                "role": "desk", "password": PASSWORD}  # fmt: skip
        added = browser.post("/portal/users", data=form)
        assert added.status_code == 303
        listed = browser.get(added.headers["location"])
        assert "Compte créé pour new@pharmacy.example.ma" in listed.text
        with _client(portal) as colleague:
            assert sign_in(colleague, "new@pharmacy.example.ma").status_code == 303
            assert "/portal/rights" in colleague.get("/portal").text

    def test_a_role_of_the_payers_is_refused_in_words(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["admin"])
        form = {"csrf": csrf_of(browser.get("/portal/users")), "email": "x@pharmacy.example.ma",
                "role": "reviewer", "password": PASSWORD}  # fmt: skip
        refused = browser.post("/portal/users", data=form)
        assert refused.status_code == 422
        assert "Compte refusé" in refused.text and "reviewer" in refused.text

    def test_a_desk_clerk_cannot_add_an_account_even_with_a_valid_form(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["desk"])
        form = {"csrf": csrf_of(browser.get("/portal")), "email": "y@pharmacy.example.ma",
                "role": "admin", "password": PASSWORD}  # fmt: skip
        assert browser.post("/portal/users", data=form).status_code == 403
        with _client(portal) as attacker:
            assert sign_in(attacker, "y@pharmacy.example.ma").status_code == 401


class TestLogOut:
    def test_signing_out_everywhere_ends_the_other_sessions(self, portal: PortalWorld) -> None:
        email = portal.emails["roaming"]
        with _client(portal) as phone, _client(portal) as desk:
            sign_in(phone, email)
            sign_in(desk, email)
            token = csrf_of(desk.get("/portal"))
            out = desk.post("/portal/logout", data={"csrf": token, "everywhere": "1"})
            assert out.status_code == 303
            assert phone.get("/portal").status_code == 303
            assert desk.get("/portal").status_code == 303

    def test_a_browser_holding_an_ended_session_signs_in_again(self, portal: PortalWorld):
        email = portal.emails["admin"]
        with _client(portal) as phone, _client(portal) as desk:
            sign_in(phone, email)
            sign_in(desk, email)
            ended = phone.cookies["amo_session"]
            token = csrf_of(desk.get("/portal"))
            desk.post("/portal/logout", data={"csrf": token, "everywhere": "1"})
            page = phone.get("/portal/login")  # the ended session's cookie still sent
            assert page.status_code == 200 and phone.cookies.get("amo_session") == ended
            form = {"csrf": csrf_of(page), "email": email, "password": PASSWORD}
            assert phone.post("/portal/login", data=form).status_code == 303
            assert phone.get("/portal").status_code == 200

    def test_signing_out_ends_this_session_only(self, portal: PortalWorld) -> None:
        email = portal.emails["admin"]
        with _client(portal) as phone, _client(portal) as desk:
            sign_in(phone, email)
            sign_in(desk, email)
            kept = desk.cookies["amo_session"]
            desk.post("/portal/logout", data={"csrf": csrf_of(desk.get("/portal"))})
            assert phone.get("/portal").status_code == 200
            desk.cookies.set("amo_session", kept)
            assert desk.get("/portal").status_code == 303


class TestRightsPage:
    def test_the_answer_is_in_words_and_the_exchange_is_the_organization_s(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["pharmacist"])
        token = csrf_of(browser.get("/portal/rights"))
        idcs = portal.state.people["open"][1]
        before = _answers_about(portal, portal.state.pharmacy, idcs)
        form = {"csrf": token, "kind": "IDCS", "value": idcs, "category": "pharmacy"}
        answer = browser.post("/portal/rights", data={**form, "date": _today()})
        assert answer.status_code == 200, answer.text
        assert "Pris en charge par" in answer.text
        assert "droits ouverts" in answer.text
        assert answer.headers["cache-control"] == "no-store"
        assert _answers_about(portal, portal.state.pharmacy, idcs) == before + 1
        assert _answers_about(portal, portal.state.clinic, idcs) == 0
        assert "Dernières vérifications" in answer.text and f"IDCS {idcs}" in answer.text

    def test_another_provider_s_person_does_not_see_this_one_s_checks(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["pharmacist"])
        idcs = portal.state.people["open"][1]
        form = {"csrf": csrf_of(browser.get("/portal/rights")), "kind": "IDCS", "value": idcs,
                "date": _today()}  # fmt: skip
        assert browser.post("/portal/rights", data=form).status_code == 200
        with _client(portal) as other:
            sign_in(other, portal.emails["other-admin"])
            theirs = other.get("/portal/rights")
        assert theirs.status_code == 200
        assert idcs not in theirs.text

    def test_an_invalid_identifier_is_answered_in_words(
        self, portal: PortalWorld, browser: httpx.Client
    ) -> None:
        sign_in(browser, portal.emails["pharmacist"])
        token = csrf_of(browser.get("/portal/rights"))
        form = {"csrf": token, "kind": "IDCS", "value": "12", "date": _today()}
        answer = browser.post("/portal/rights", data=form)
        assert answer.status_code == 422
        assert "Demande refusée" in answer.text


def _today() -> str:
    return date.today().isoformat()


def _answers_about(portal: PortalWorld, who: Client, idcs: str) -> int:
    """How many eligibility answers about the patient the provider's API client can read."""
    token_url = f"{portal.base}/auth/token"
    token = httpx.post(token_url, data=token_form(who, token_url)).json()["access_token"]
    found = httpx.get(
        f"{portal.base}/fhir/CoverageEligibilityResponse",
        params={"patient:identifier": f"{IDCS}|{idcs}"},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"},
    )
    assert found.status_code == 200, found.text
    return int(found.json()["total"])
