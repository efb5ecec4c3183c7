"""A webhook receiver on loopback, as a provider would run one: it verifies each notification's
Standard Webhooks signature, and answers 2xx, or 503 while it is "down"."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


@dataclass
class Received:
    """What reached the receiver: accepted notifications (verified, answered 2xx) and every
    attempt, by webhook-id."""

    accepted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    forged: int = 0  # requests whose signature did not verify

    def accepted_ids(self) -> list[str]:
        """The webhook-ids accepted, in order (repeats included)."""
        return [webhook_id for webhook_id, _ in self.accepted]


class Receiver:
    """A threaded HTTP server; `secret` must be set before notifications arrive."""

    def __init__(self) -> None:
        self.secret = ""
        self.down = False
        self.received = Received()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = receiver.take(body, dict(self.headers.items()))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/amo/notifications"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take(self, body: bytes, headers: dict[str, str]) -> int:
        """Verify and record one notification; the status to answer."""
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            with self._lock:
                self.received.forged += 1
            return 401
        webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        with self._lock:
            self.received.attempts[webhook_id] += 1
            if self.down:
                return 503
            self.received.accepted.append((webhook_id, payload))
        return 204
