"""A running gateway asked about a few people before an import and after it, for the bench.

Asking before caches each answer (in the gateway's memory, or in Redis); the bench then times
how long after the import's end the gateway answers the new standing: at once when the
import could tell the shared cache, within the registry poll otherwise.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson

from bench.setup import request_bodies
from devtools.server import free_port, running
from gateway.commands import admin
from gateway.commands.client import generate_client_key, sign_assertion
from gateway.settings import Settings

CLIENT_ID = "bench-import-pharmacy"
INPE = "300400501"
DEADLINE_SECONDS = 60.0
SCOPE = "system/CoverageEligibilityRequest.c"


class Watch:
    """The people whose cached answer was "open", asked again until it changes."""

    def __init__(self, base: str, token: Callable[[], str], idcs: list[str]) -> None:
        self._url = f"{base}/fhir/CoverageEligibilityRequest/$submit"
        self._token = token
        self._headers: dict[str, str] = {}
        self.renew()
        self.watched = [value for value in idcs if self.status(value) == "open"]
        self.seen_after: float | None = None
        self.answers: set[str] = set()

    def renew(self) -> None:
        """Take a fresh access token (an import can outlast one)."""
        bearer = f"Bearer {self._token()}"
        self._headers = {"Authorization": bearer, "Content-Type": "application/fhir+json"}

    def status(self, idcs: str) -> str:
        """The eligibility status the gateway answers for that IDCS today."""
        (body,) = request_bodies([idcs])
        answer = httpx.post(self._url, content=body, headers=self._headers, timeout=10)
        answer.raise_for_status()
        extensions = answer.json()["insurance"][0]["extension"]
        return str(
            next(e["valueCoding"]["code"] for e in extensions if e["url"].endswith("status"))
        )

    def until_changed(self, *, since: float) -> None:
        """Ask again until no watched person is answered "open"; note how long it took."""
        self.renew()
        while time.monotonic() - since < DEADLINE_SECONDS:
            self.answers = {self.status(value) for value in self.watched}
            if "open" not in self.answers:
                self.seen_after = time.monotonic() - since
                return
            time.sleep(0.05)

    def summary(self) -> str:
        """One line for the results."""
        if not self.watched:
            return "no sampled insured was open before: nothing to watch"
        if self.seen_after is None:
            return (
                f"{len(self.watched)} insureds still answered open {DEADLINE_SECONDS:.0f} s after"
            )
        return (
            f"{len(self.watched)} insureds answered open before, "
            f"{'/'.join(sorted(self.answers))} {self.seen_after:.2f} s after the import ended"
        )


@contextmanager
def watching(env: dict[str, str], idcs: list[str]) -> Iterator[Watch]:
    """A gateway on that database, a provider registered, those people asked about once."""
    state = Path(env["AMO_STATE_DIR"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**env, "AMO_PUBLIC_URL": base}
    key = state / "client-key.jwk.json"
    (state / "jwks.json").write_bytes(orjson.dumps(generate_client_key(key, key_id="bench")))
    admin.add_provider(
        Settings.from_env(env),
        inpe=INPE,
        name="Pharmacie du banc d'import",
        category="pharmacy",
        payers=["CNSS", "CNOPS"],
        jwks_path=state / "jwks.json",
        client_id=CLIENT_ID,
    )
    with running(env, port, state / "server.log"):
        watch = Watch(base, lambda: _token(key, base), idcs)
        print(f"gateway: {len(watch.watched)} insureds answered open", file=sys.stderr)
        yield watch


def _token(key: Path, base: str) -> str:
    form = {
        "grant_type": "client_credentials",
        "scope": SCOPE,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": sign_assertion(key, CLIENT_ID, f"{base}/auth/token"),
    }
    answer = httpx.post(f"{base}/auth/token", data=form, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["access_token"])
