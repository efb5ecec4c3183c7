"""People's accounts against a real uvicorn: a person's own second factor, an admin's care
of its people (deactivate, role, lost phone), and the refusals around them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyotp
import pytest

from tests.e2e.accounts_steps import client, enable, id_of, new_colleague, offered_secret
from tests.e2e.portal_world import PASSWORD, PortalWorld, csrf_of, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin(portal: PortalWorld) -> Iterator[httpx.Client]:
    """The pharmacy's admin, signed in."""
    with client(portal) as browser:
        assert sign_in(browser, portal.emails["admin"]).status_code == 303
        yield browser


class TestSecondFactor:
    def test_switched_on_by_the_person_it_is_then_asked_at_sign_in(
        self, portal: PortalWorld
    ) -> None:
        email = new_colleague(portal, "pharmacist")
        with client(portal) as desk, client(portal) as phone:
            sign_in(desk, email)
            sign_in(phone, email)
            assert 'href="/portal/security"' in desk.get("/portal").text
            page = desk.get("/portal/security")
            assert page.status_code == 200 and "Second facteur désactivé" in page.text
            assert 'src="data:image/svg+xml;base64,' in page.text
            secret = offered_secret(page)
            form = {"csrf": csrf_of(page), "secret": secret, "password": PASSWORD,
                    "code": pyotp.TOTP(secret).now()}  # fmt: skip
            done = desk.post("/portal/security/enable", data=form)
            assert done.status_code == 303
            assert "Second facteur activé" in desk.get(done.headers["location"]).text
            assert phone.get("/portal").status_code == 303  # the other session is closed
            assert desk.get("/portal").status_code == 200  # this one is kept
        with client(portal) as again:
            assert sign_in(again, email).status_code == 401
            assert sign_in(again, email, code=pyotp.TOTP(secret).now()).status_code == 303

    def test_a_wrong_code_is_answered_422_with_the_same_secret(self, portal: PortalWorld) -> None:
        email = new_colleague(portal, "desk")
        with client(portal) as browser:
            sign_in(browser, email)
            page = browser.get("/portal/security")
            secret = offered_secret(page)
            wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
            form = {"csrf": csrf_of(page), "secret": secret, "password": PASSWORD, "code": wrong}
            refused = browser.post("/portal/security/enable", data=form)
            assert refused.status_code == 422
            assert "Mot de passe ou code incorrect" in refused.text
            assert offered_secret(refused) == secret
            bad_password = {**form, "password": "not my password", "code": pyotp.TOTP(secret).now()}
            assert browser.post("/portal/security/enable", data=bad_password).status_code == 422
            assert "Second facteur désactivé" in browser.get("/portal/security").text
        with client(portal) as again:  # still off: the password alone signs in
            assert sign_in(again, email).status_code == 303

    def test_switched_off_with_the_password_and_a_current_code(self, portal: PortalWorld) -> None:
        email = new_colleague(portal, "accountant")
        with client(portal) as browser:
            sign_in(browser, email)
            secret = enable(browser)
            page = browser.get("/portal/security")
            form = {"csrf": csrf_of(page), "password": PASSWORD, "code": "000000"}
            if pyotp.TOTP(secret).verify("000000", valid_window=1):
                form["code"] = "999999"  # one chance in a million: any other wrong code
            assert browser.post("/portal/security/disable", data=form).status_code == 422
            form["code"] = pyotp.TOTP(secret).now()
            assert browser.post("/portal/security/disable", data=form).status_code == 303
            assert "Second facteur désactivé" in browser.get("/portal/security").text
        with client(portal) as again:
            assert sign_in(again, email).status_code == 303

    def test_guessing_through_the_form_locks_the_account_as_at_sign_in(
        self, portal: PortalWorld
    ) -> None:
        email = new_colleague(portal, "desk")
        with client(portal) as browser:
            sign_in(browser, email)
            page = browser.get("/portal/security")
            form = {"csrf": csrf_of(page), "secret": offered_secret(page), "code": "123456",
                    "password": "a guessed password"}  # fmt: skip
            statuses = [browser.post("/portal/security/enable", data=form) for _ in range(6)]
            assert [s.status_code for s in statuses] == [422] * 5 + [429]
            assert "votre compte est verrouillé" in statuses[-1].text
        with client(portal) as again:
            assert sign_in(again, email).status_code == 429  # its right password too

    def test_a_payer_s_person_has_the_page_on_the_console(self, portal: PortalWorld) -> None:
        with client(portal) as browser:
            sign_in(browser, portal.emails["reviewer"], area="console")
            page = browser.get("/console/security")
            assert page.status_code == 200 and 'action="/console/security/enable"' in page.text

    def test_the_form_without_its_token_is_refused(self, portal: PortalWorld) -> None:
        email = new_colleague(portal, "desk")
        with client(portal) as browser:
            sign_in(browser, email)
            secret = offered_secret(browser.get("/portal/security"))
            form = {"secret": secret, "password": PASSWORD, "code": pyotp.TOTP(secret).now()}
            assert browser.post("/portal/security/enable", data=form).status_code == 403
            assert "Second facteur désactivé" in browser.get("/portal/security").text


class TestAdminCare:
    def test_a_deactivated_person_is_signed_out_and_cannot_sign_in(
        self, portal: PortalWorld, admin: httpx.Client
    ) -> None:
        email = new_colleague(portal, "desk")
        with client(portal) as colleague:
            assert sign_in(colleague, email).status_code == 303
            page = admin.get("/portal/users")
            form = {"csrf": csrf_of(page), "active": "0"}
            done = admin.post(f"/portal/users/{id_of(page.text, email)}/active", data=form)
            assert done.status_code == 303
            listed = admin.get(done.headers["location"])
            assert f"Compte de {email} désactivé" in listed.text
            assert colleague.get("/portal").status_code == 303  # the open session is gone
            assert sign_in(colleague, email).status_code == 401
            form["active"] = "1"
            admin.post(f"/portal/users/{id_of(page.text, email)}/active", data=form)
            assert sign_in(colleague, email).status_code == 303

    def test_a_new_role_takes_effect_at_the_next_sign_in(
        self, portal: PortalWorld, admin: httpx.Client
    ) -> None:
        email = new_colleague(portal, "desk")
        with client(portal) as colleague:
            sign_in(colleague, email)
            assert colleague.get("/portal/payments").status_code == 403
            page = admin.get("/portal/users")
            form = {"csrf": csrf_of(page), "role": "accountant"}
            assert admin.post(f"/portal/users/{id_of(page.text, email)}/role",
                              data=form).status_code == 303  # fmt: skip
            assert colleague.get("/portal").status_code == 303
            sign_in(colleague, email)
            assert colleague.get("/portal/payments").status_code == 200

    def test_a_lost_phone_s_second_factor_is_reset(
        self, portal: PortalWorld, admin: httpx.Client
    ) -> None:
        email = new_colleague(portal, "pharmacist")
        with client(portal) as colleague:
            sign_in(colleague, email)
            enable(colleague)
        page = admin.get("/portal/users")
        reset = admin.post(f"/portal/users/{id_of(page.text, email)}/second-factor",
                           data={"csrf": csrf_of(page)})  # fmt: skip
        assert reset.status_code == 303
        with client(portal) as colleague:
            assert sign_in(colleague, email).status_code == 303  # the password alone

    def test_an_admin_cannot_deactivate_or_demote_itself(
        self, portal: PortalWorld, admin: httpx.Client
    ) -> None:
        second = new_colleague(portal, "admin")
        with client(portal) as other:
            sign_in(other, second)
            mine = id_of(other.get("/portal/users").text, portal.emails["admin"])
        page = admin.get("/portal/users")
        token = csrf_of(page)
        refused = admin.post(f"/portal/users/{mine}/active", data={"csrf": token, "active": "0"})
        assert refused.status_code == 422
        assert "votre propre compte" in refused.text
        demoted = admin.post(f"/portal/users/{mine}/role", data={"csrf": token, "role": "desk"})
        assert demoted.status_code == 422
        assert admin.get("/portal/users").status_code == 200  # still an active admin

    def test_another_organization_s_account_is_not_found(
        self, portal: PortalWorld, admin: httpx.Client
    ) -> None:
        email = new_colleague(portal, "desk")
        theirs = id_of(admin.get("/portal/users").text, email)
        with client(portal) as other:
            sign_in(other, portal.emails["other-admin"])
            token = csrf_of(other.get("/portal/users"))
            for action, form in (("active", {"active": "0"}), ("role", {"role": "admin"}),
                                 ("second-factor", {})):  # fmt: skip
                refused = other.post(f"/portal/users/{theirs}/{action}",
                                     data={"csrf": token, **form})  # fmt: skip
                assert refused.status_code == 404
                assert "Introuvable pour votre organisation" in refused.text
        with client(portal) as colleague:
            assert sign_in(colleague, email).status_code == 303

    def test_a_desk_clerk_manages_no_one(self, portal: PortalWorld, admin: httpx.Client) -> None:
        email = new_colleague(portal, "desk")
        target = id_of(admin.get("/portal/users").text, email)
        with client(portal) as desk:
            sign_in(desk, portal.emails["desk"])
            token = csrf_of(desk.get("/portal"))
            refused = desk.post(f"/portal/users/{target}/active",
                                data={"csrf": token, "active": "0"})  # fmt: skip
            assert refused.status_code == 403
        with client(portal) as colleague:
            assert sign_in(colleague, email).status_code == 303

    def test_a_change_without_the_form_s_token_is_refused(
        self, portal: PortalWorld, admin: httpx.Client
    ) -> None:
        email = new_colleague(portal, "desk")
        target = id_of(admin.get("/portal/users").text, email)
        forged = admin.post(f"/portal/users/{target}/active", data={"active": "0"})
        assert forged.status_code == 403
        with client(portal) as colleague:
            assert sign_in(colleague, email).status_code == 303


class TestMissingPages:
    def test_a_missing_portal_page_is_a_page_in_the_person_s_language(
        self, portal: PortalWorld
    ) -> None:
        with client(portal) as browser:
            for path in ("/portal/nowhere", "/console/no/such/page", "/portal/users/x/y"):
                missing = browser.get(path)
                assert missing.status_code == 404
                assert missing.headers["content-type"].startswith("text/html")
                assert "Cette page n&#39;existe pas" in missing.text
            browser.cookies.set("amo_lang", "ar")
            arabic = browser.get("/portal/nowhere")
            assert arabic.status_code == 404 and 'dir="rtl"' in arabic.text
            assert "هذه الصفحة غير موجودة" in arabic.text

    def test_the_api_s_missing_answer_stays_an_operation_outcome(self, portal: PortalWorld) -> None:
        for path in ("/fhir/NoSuchResource", "/portalx", "/nowhere"):
            missing = httpx.get(portal.base + path)
            assert missing.status_code == 404
            assert missing.headers["content-type"].startswith("application/fhir+json")
            assert missing.json()["resourceType"] == "OperationOutcome"
