"""Steps the accounts' end-to-end tests share: a colleague given an account by the
pharmacy's admin through the page, ids read off the accounts page, the second factor
switched on through the security page."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp

from tests.e2e.portal_world import PASSWORD, PortalWorld, csrf_of, sign_in

_SECRET = re.compile(r'name="secret" value="([A-Z2-7]+)"')


def client(portal: PortalWorld) -> httpx.Client:
    """A cookie-keeping client of the served portal, redirects not followed."""
    return httpx.Client(base_url=portal.base, timeout=10)


def new_colleague(portal: PortalWorld, role: str, admin: str = "admin") -> str:
    """An account the pharmacy's admin gives through the accounts page; its email."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@pharmacy.example.ma"
    with client(portal) as browser:
        assert sign_in(browser, portal.emails.get(admin, admin)).status_code == 303
        form = {"csrf": csrf_of(browser.get("/portal/users")), "email": email, "role": role,
                "password": PASSWORD}  # fmt: skip
        assert browser.post("/portal/users", data=form).status_code == 303
    return email


def id_of(users_page: str, email: str) -> str:
    """A colleague's account id, from the forms of its row on the accounts page."""
    row = next(r for r in users_page.split("<tr>") if f">{email}<" in r)
    found = re.search(r"/users/([^/\"]+)/role", row)
    assert found, row
    return found.group(1)


def offered_secret(page: httpx.Response) -> str:
    """The secret the security page offers, from its form; checked against the key shown
    and the enrolment URI."""
    found = _SECRET.search(page.text)
    assert found, page.text[:800]
    secret = found.group(1)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in page.text
    uri = re.search(r"otpauth://[^<\s]+", page.text)
    assert uri, "the otpauth URI is shown"
    assert parse_qs(urlsplit(uri[0].replace("&amp;", "&")).query)["secret"] == [secret]
    return secret


def enable(browser: httpx.Client, area: str = "portal") -> str:
    """Switch the signed-in person's second factor on; its secret."""
    page = browser.get(f"/{area}/security")
    secret = offered_secret(page)
    form = {"csrf": csrf_of(page), "secret": secret, "password": PASSWORD,
            "code": pyotp.TOTP(secret).now()}  # fmt: skip
    done = browser.post(f"/{area}/security/enable", data=form)
    assert done.status_code == 303, done.text[:500]
    return secret
