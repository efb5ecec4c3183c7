"""Every answer keeps HTTP semantics: after an error the connection serves the next request.

uvicorn closes a connection, without a word, when the app raises; behind nginx's upstream
keep-alive the next request on it becomes a 502 for another client. Two requests are written
on one raw socket: the second must be answered too, and both must carry the request id.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from devtools.server import Server, free_port, start, stop
from tests.e2e.support import GatewayState, eligibility_request, prepare_state, token_form

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, GatewayState]]:
    """A real uvicorn serving an app whose submissions all fail unexpectedly."""
    work = tmp_path_factory.mktemp("faulty")
    port = free_port()
    state = prepare_state(work, f"http://127.0.0.1:{port}")
    command = [sys.executable, "-m", "uvicorn", "--factory", "tests.e2e.faulty_app:build",
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]  # fmt: skip
    server = start(state.env, port, work / "server.log", command=command)
    yield server, state
    stop(server)


def exchange(port: int, *requests: bytes) -> list[bytes]:
    """Write each request on one connection, reading each answer before the next."""
    answers = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for request in requests:
            sock.sendall(request)
            answers.append(_read_answer(sock))
    return answers


def _read_answer(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data  # the server closed the connection
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))  # fmt: skip
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def post(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """A raw HTTP/1.1 POST."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}",
             *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def get(path: str) -> bytes:
    """A raw HTTP/1.1 GET."""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: second\r\n\r\n".encode()


class TestKeepAlive:
    def test_the_connection_serves_the_next_request_after_a_500(
        self, faulty: tuple[Server, GatewayState]
    ) -> None:
        server, state = faulty
        port = int(server.url.rsplit(":", 1)[1])
        form = token_form(state.pharmacy, f"{server.url}/auth/token")
        token_body = "&".join(f"{k}={v}" for k, v in form.items()).encode()
        form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        token_answer = exchange(port, post("/auth/token", token_body, form_headers))[0]
        bearer = orjson.loads(token_answer.partition(b"\r\n\r\n")[2])["access_token"]
        body = orjson.dumps(eligibility_request(state.people["open"][1]))
        headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/fhir+json",
                   "X-Request-ID": "first"}  # fmt: skip
        submit = post("/fhir/CoverageEligibilityRequest/$submit", body, headers)
        failed, then = exchange(port, submit, get("/healthz"))
        assert failed.startswith(b"HTTP/1.1 500")
        assert b"x-request-id: first" in failed.lower()
        assert b'"erreur-interne"' in failed
        assert then.startswith(b"HTTP/1.1 200"), then or b"(connection closed)"
        assert b"x-request-id: second" in then.lower()

    def test_the_stack_is_logged_but_not_shown(self, faulty: tuple[Server, GatewayState]) -> None:
        server, _ = faulty
        log = Path(server.log).read_text()
        assert "no id today" in log  # the server's log has the cause
