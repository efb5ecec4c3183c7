"""The sign-in limit per address behind a proxy, through the real app: X-Forwarded-For is
read only from AMO_TRUSTED_PROXIES, from the right, so a client cannot pick its address."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from devtools.server import free_port, running
from gateway.app import create_app
from tests.e2e.portal_world import csrf_of
from tests.e2e.support import prepare_state

pytestmark = pytest.mark.e2e
PER_ADDRESS = 3  # attempts a minute from one client address


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A served gateway whose proxy is 127.0.0.1 (the tests' own address)."""
    port = free_port()
    work = tmp_path_factory.mktemp("proxied")
    state = prepare_state(work, f"http://127.0.0.1:{port}", AMO_TRUSTED_PROXIES="127.0.0.1",
                          AMO_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE=str(PER_ADDRESS))  # fmt: skip
    with running(state.env, port, work / "server.log"):
        yield f"http://127.0.0.1:{port}"


def _attempt(client: httpx.Client | TestClient, forwarded: str) -> int:
    """One failed sign-in as sent on by the proxy; its status (401, or 429 once limited)."""
    page = client.get("/portal/login")
    form = {"csrf": csrf_of(page), "email": "nobody@example.ma", "password": "guess guess 1"}
    return client.post(
        "/portal/login", data=form, headers={"X-Forwarded-For": forwarded}
    ).status_code


class TestBehindOurProxy:
    def test_each_client_behind_the_proxy_has_its_own_budget(self, behind_proxy: str) -> None:
        with httpx.Client(base_url=behind_proxy, timeout=10) as client:
            for n in range(PER_ADDRESS):
                # The client varies what it writes on the left: the proxy's entry decides.
                assert _attempt(client, f"10.9.9.{n}, 203.0.113.1") == 401
            assert _attempt(client, "10.9.9.99, 203.0.113.1") == 429
            assert _attempt(client, "203.0.113.1, 203.0.113.2") == 401  # another client

    def test_an_address_written_by_the_client_alone_changes_nothing(
        self, behind_proxy: str
    ) -> None:
        with httpx.Client(base_url=behind_proxy, timeout=10) as client:
            statuses = [_attempt(client, f"198.51.100.{n}, 203.0.113.50") for n in range(4)]
        assert statuses == [401] * PER_ADDRESS + [429]


class TestWithoutTrustedProxies:
    def test_the_header_is_ignored_and_the_peer_counts(self, tmp_path: Path) -> None:
        state = prepare_state(tmp_path, "http://testserver")
        settings = replace(state.settings, login_attempts_per_address_per_minute=PER_ADDRESS)
        assert settings.trusted_proxies == ""
        with TestClient(create_app(settings)) as client:
            statuses = [_attempt(client, f"203.0.113.{n}") for n in range(PER_ADDRESS + 1)]
        assert statuses == [401] * PER_ADDRESS + [429]
