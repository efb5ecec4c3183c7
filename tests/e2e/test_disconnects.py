"""A client that closes its connection mid-body is noise, not an incident: no 500, no stack."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.e2e.conftest import bearer_over_http
from tests.e2e.support import GatewayState

pytestmark = pytest.mark.e2e

SETTLE_SECONDS = 10.0  # the server notices the closed connection within milliseconds


def send_half_a_body(base: str, path: str, headers: dict[str, str]) -> None:
    """POST announcing 1000 bytes, send 20, close the connection."""
    host, port = base.removeprefix("http://").split(":")
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Length: 1000"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b"x" * 20)


def counted(base: str, route: str, status: int) -> bool:
    """Whether /metrics counted an answer of `status` on `route`."""
    text = httpx.get(f"{base}/metrics").text
    return f'route="{route}",status="{status}"' in text.replace('method="POST",', "")


def log_since(state: GatewayState, offset: int) -> str:
    """What the live server logged after `offset` bytes."""
    with (state.settings.state_dir / "server.log").open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def log_size(state: GatewayState) -> int:
    """The live server's log size now."""
    return (state.settings.state_dir / "server.log").stat().st_size


def wait_for_count(base: str, route: str, status: int) -> bool:
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        if counted(base, route, status):
            return True
        time.sleep(0.1)
    return False


class TestClientDisconnects:
    def test_token_endpoint_without_authentication(self, live: tuple[str, GatewayState]) -> None:
        base, state = live
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        before = log_size(state)
        send_half_a_body(base, "/auth/token", form)
        assert wait_for_count(base, "/auth/token", 499)
        assert not counted(base, "/auth/token", 500)
        log = log_since(state, before)
        assert "Traceback" not in log and "ERROR" not in log

    def test_eligibility_submission(self, live: tuple[str, GatewayState]) -> None:
        base, state = live
        route = "/fhir/CoverageEligibilityRequest/$submit"
        headers = {**bearer_over_http(base, state), "Content-Type": "application/fhir+json"}
        before = log_size(state)
        send_half_a_body(base, route, headers)
        assert wait_for_count(base, route, 499)
        assert not counted(base, route, 500)
        log = log_since(state, before)
        assert "Traceback" not in log and "ERROR" not in log
