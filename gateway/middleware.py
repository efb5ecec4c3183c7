"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware): metrics, access log, request id."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import render_error
from gateway.ids import random_bytes
from gateway.metrics import Metrics

access = logging.getLogger("amo.access")


class ObservabilityMiddleware:
    """Counts and times every request and logs one line without patient data.

    The route template is logged, never the raw path or query string: they can carry
    patient identifiers (searches by identifier). An error no handler answered is answered
    here, through the one error table, instead of reaching the server: uvicorn closes the
    connection on an exception, silently, and the next request on it would get nothing.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        status = 500
        answering = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, answering
            if message["type"] == "http.response.start":
                status, answering = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id)]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            if answering:  # half an answer is out: only closing the connection tells the client
                raise
            response = await render_error(Request(scope, receive), exc)
            await response(scope, receive, send_wrapper)
        finally:
            self._record(scope, status, time.perf_counter() - started, request_id)

    def _record(self, scope: Scope, status: int, seconds: float, request_id: bytes) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")
        self.metrics.observe(route, scope["method"], status, seconds)
        if access.isEnabledFor(logging.INFO):
            extra: dict[str, Any] = {
                "route": route,
                "method": scope["method"],
                "status": status,
                "ms": round(seconds * 1000, 2),
                "request_id": request_id.decode(),
                "client_id": scope.get("state", {}).get("client_id"),
            }
            access.info("request", extra={"fields": extra})


def _request_id(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id" and 0 < len(value) <= 64 and value.isascii():
            return bytes(value)
    return random_bytes(8).hex().encode()
