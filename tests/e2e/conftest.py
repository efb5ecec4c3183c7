"""Fixtures: the real app in-process (TestClient) and a real uvicorn on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from devtools.server import free_port, running
from gateway.app import create_app
from tests.e2e.browser import artifacts, chromium, tab  # noqa: F401 (fixtures for every module)
from tests.e2e.portal_money import Settled, settle
from tests.e2e.portal_world import PortalWorld, add_people
from tests.e2e.support import Client, GatewayState, prepare_state, token_form


@pytest.fixture(scope="session")
def state(tmp_path_factory: pytest.TempPathFactory) -> GatewayState:
    """A prepared SQLite gateway for in-process tests (base URL http://testserver)."""
    return prepare_state(tmp_path_factory.mktemp("inprocess"), "http://testserver")


@pytest.fixture(scope="session")
def app_client(state: GatewayState) -> Iterator[TestClient]:
    """The real app, lifespan included, driven in-process."""
    with TestClient(create_app(state.settings), raise_server_exceptions=False) as client:
        yield client


def bearer(client: TestClient, who: Client, scope: str | None = None) -> dict[str, str]:
    """Authorization header for a fresh token of `who`."""
    form = token_form(who, "http://testserver/auth/token", **({"scope": scope} if scope else {}))
    answer = client.post("/auth/token", data=form)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def bearer_over_http(base: str, state: GatewayState) -> dict[str, str]:
    """Authorization header for a fresh pharmacy token from a gateway served at `base`."""
    answer = httpx.post(f"{base}/auth/token", data=token_form(state.pharmacy, f"{base}/auth/token"))
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture(scope="module")
def pharmacy_auth(app_client: TestClient, state: GatewayState) -> dict[str, str]:
    """The pharmacy's bearer header, every scope granted; one per module, as a token lives
    five minutes and the whole suite runs longer."""
    return bearer(app_client, state.pharmacy)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, GatewayState]]:
    """A real uvicorn process on loopback over its own SQLite state."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    work = tmp_path_factory.mktemp("live")
    prepared = prepare_state(work, base)
    with running(prepared.env, port, work / "server.log"):
        yield base, prepared


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalWorld]:
    """A real uvicorn with the extranet's people; sign-ins per address not throttled (every
    test signs in from 127.0.0.1), per account as in production."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    work = tmp_path_factory.mktemp("portal")
    prepared = prepare_state(work, base, AMO_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE="10000",
                             AMO_SETTLEMENT_DIR=str(work / "settlement"))  # fmt: skip
    emails = add_people(prepared)
    with running(prepared.env, port, work / "server.log"):
        yield PortalWorld(base, prepared, emails)


@pytest.fixture(scope="session")
def settled(portal: PortalWorld) -> Settled:
    """The pharmacy's paid and rejected claims on the portal's gateway, seeded once."""
    return settle(portal, portal.state.settings.settlement_dir)  # the files the app serves
