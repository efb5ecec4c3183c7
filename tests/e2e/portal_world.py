"""The extranet's world for end-to-end tests: people of two providers and of a payer, on a
real uvicorn, and how a browser-less client signs in (httpx, forms and cookies)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from gateway.commands.users import add_user
from tests.e2e.support import GatewayState

PASSWORD = "mot de passe du test 2026"
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
PEOPLE = {
    "pharmacist": ("pharmacy", "pharmacist"),
    "desk": ("pharmacy", "desk"),
    "admin": ("pharmacy", "admin"),
    "other-admin": ("clinic", "admin"),
    "throttled": ("pharmacy", "desk"),
    "roaming": ("pharmacy", "accountant"),
    "accountant": ("pharmacy", "accountant"),
    "reviewer": ("CNSS", "reviewer"),
    "finance": ("CNSS", "finance"),
    "finance2": ("CNSS", "finance"),
    "cnops-reviewer": ("CNOPS", "reviewer"),
    "cnops-finance": ("CNOPS", "finance"),
    "cnss-admin": ("CNSS", "admin"),
}


@dataclass(frozen=True)
class PortalWorld:
    """A served gateway and the emails of its people (all with PASSWORD)."""

    base: str
    state: GatewayState
    emails: dict[str, str]


def add_people(state: GatewayState) -> dict[str, str]:
    """Give each person of PEOPLE an account; their emails by name."""
    orgs = {"pharmacy": state.pharmacy.inpe, "clinic": state.clinic.inpe, "CNSS": "CNSS",
            "CNOPS": "CNOPS"}  # fmt: skip
    emails = {}
    for name, (org, role) in PEOPLE.items():
        email = f"{name}@{org.lower()}.example.ma"
        add_user(state.settings, org=orgs[org], email=email, role=role, password=PASSWORD)
        emails[name] = email
    return emails


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token a page's forms carry."""
    found = _CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def sign_in(
    client: httpx.Client,
    email: str,
    password: str = PASSWORD,
    area: str = "portal",
    code: str = "",
) -> httpx.Response:
    """Open the sign-in page, then post it with its token: the answer (303 when signed in)."""
    page = client.get(f"/{area}/login")
    form = {"csrf": csrf_of(page), "email": email, "password": password, "code": code}
    return client.post(f"/{area}/login", data=form)
