"""What the prises en charge pages' tests share: the requests a pharmacist and a clinic ask
(one granted at once, one queued), asking through the form as a browser-less client does,
and a payer's reviewer asking for more through the API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.documents import information_request
from tests.e2e.pa_world import EPOETIN, REVIEWER_SCOPES
from tests.e2e.portal_world import PortalWorld, csrf_of, sign_in
from tests.e2e.support import Client, register_reviewer, token_form

_KEY = re.compile(r'name="key" value="([^"]+)"')
_PEC = re.compile(r"/portal/authorizations/([0-9A-Za-z-]+)\?done=requested$")
NO_FILE = [("documents", ("", b"", "application/octet-stream"))]  # a file input left empty


def signed(portal: PortalWorld, client: httpx.Client, who: str) -> httpx.Client:
    """The client, signed in as one of the portal's people."""
    assert sign_in(client, portal.emails[who]).status_code == 303
    return client


def costly(portal: PortalWorld, **more: Any) -> dict[str, Any]:
    """A pharmacist's request for epoetin, prescribed by a nephrologist: granted at once."""
    return {"kind": "IDCS", "value": portal.state.people["dialysis"][1],
            "pa_type": "costly-drug", "specialty": "nephrologie", "code0": EPOETIN,
            "quantity0": "4", "amount0": "5000", **more}  # fmt: skip


def admission(portal: PortalWorld) -> dict[str, Any]:
    """A clinic's planned three-day stay: queued for the payer's reviewer."""
    return {"kind": "IDCS", "value": portal.state.people["ald"][1], "pa_type": "hospitalisation",
            "code0": "hospitalisation", "quantity0": "3", "amount0": "9000"}  # fmt: skip


def ask(
    client: httpx.Client, fields: dict[str, Any], files: list[Any] | None = None, key: str = ""
) -> httpx.Response:
    """Open the form, then post it with its token and its Idempotency-Key."""
    form = client.get("/portal/authorizations/new")
    assert form.status_code == 200, form.text[:300]
    found = _KEY.search(form.text)
    assert found
    data = {"csrf": csrf_of(form), "date": "", "key": key or found.group(1), **fields}
    return client.post("/portal/authorizations/new", data=data, files=files or NO_FILE)


def pec_of(answer: httpx.Response) -> str:
    """The prise en charge a request was redirected to."""
    assert answer.status_code == 303, answer.text[:2000]
    found = _PEC.search(answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def reviewer_of(portal: PortalWorld, work: Path, unit: str) -> Client:
    """A CNSS medical review unit, as the command line registers it."""
    return register_reviewer(portal.state.settings, work, "CNSS", unit)


def ask_information(portal: PortalWorld, reviewer: Client, pec: str, note: str) -> str:
    """The reviewer asks the provider for more through the API: the request's id."""
    token = token_form(reviewer, f"{portal.base}/auth/token", REVIEWER_SCOPES)
    bearer = httpx.post(f"{portal.base}/auth/token", data=token).json()["access_token"]
    asked = httpx.post(
        f"{portal.base}/fhir/ClaimResponse/{pec}/$request-information",
        content=orjson.dumps(information_request(note=note)),
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/fhir+json"},
    )
    assert asked.status_code == 201, asked.text
    return str(asked.json()["id"])
