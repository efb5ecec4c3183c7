"""The fast path answers exactly as the router does: same status, headers and bytes.

Two apps over two copies of one database, with the same frozen clock and the same id
sequence: one serves the hot routes through the fast path, the other through FastAPI's
router. The same requests, in the same order, must get byte-identical answers.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.fastpath import FastPath
from tests.e2e.conftest import bearer
from tests.e2e.support import GatewayState, eligibility_request, prepare_state
from tests.fakes import FakeClock

SUBMIT = "/fhir/CoverageEligibilityRequest/$submit"
CREATE = "/fhir/CoverageEligibilityRequest"
FHIR = {"Content-Type": "application/fhir+json", "X-Request-ID": "same-for-both"}


class Uuid7Sequence:
    """Ids shaped as ours (UUIDv7), in a fixed order."""

    def __init__(self) -> None:
        self.issued = 0

    def __call__(self) -> str:
        """The next id."""
        self.issued += 1
        return f"0190e5a0-0000-7000-8000-{self.issued:012x}"


@dataclass
class Twins:
    """The fast-path app and the router-only app, each with a token of the pharmacy's."""

    fast: TestClient
    routed: TestClient
    fast_auth: dict[str, str]
    routed_auth: dict[str, str]
    state: GatewayState


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twins]:
    """Both apps over identical databases, the rate limit tight enough to be reached."""
    first = tmp_path_factory.mktemp("fast")
    state = prepare_state(first, "http://testserver", AMO_RATE_LIMIT_BURST="12")
    second = Path(str(first) + "-routed")
    shutil.copytree(first, second)
    now = datetime.now(UTC).replace(microsecond=0)
    apps = []
    for work, fast in ((first, True), (second, False)):
        settings = replace(
            state.settings, database_url=f"sqlite:///{work / 'gateway.db'}", state_dir=work,
            rate_limit_per_second=0.001,
        )  # fmt: skip
        app = create_app(settings, fast_path=fast, clock=FakeClock(now), ids=Uuid7Sequence())
        apps.append(TestClient(app, raise_server_exceptions=False))
    with apps[0] as fast_client, apps[1] as routed_client:
        yield Twins(
            fast_client,
            routed_client,
            bearer(fast_client, state.pharmacy),
            bearer(routed_client, state.pharmacy),
            state,
        )


def both(
    twins: Twins,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str] | None = None,
    auth: bool = True,
) -> httpx.Response:
    """Send one request to each app; assert the answers are the same; return one."""
    answers = []
    for client, token in ((twins.fast, twins.fast_auth), (twins.routed, twins.routed_auth)):
        sent = {**FHIR, **(token if auth else {}), **(headers or {})}
        answers.append(client.post(url, content=content, headers=sent))
    fast, routed = answers
    assert (fast.status_code, fast.content) == (routed.status_code, routed.content)
    fast_headers, routed_headers = dict(fast.headers), dict(routed.headers)
    if fast.status_code == 429:  # the limiter's wait runs on the real clock, read twice
        waits = int(fast_headers.pop("retry-after")), int(routed_headers.pop("retry-after"))
        assert abs(waits[0] - waits[1]) <= 1, waits
    assert fast_headers == routed_headers
    return fast


def body(twins: Twins, persona: str = "open") -> bytes:
    """A valid request for one of the population's people."""
    return orjson.dumps(eligibility_request(twins.state.people[persona][1]))


class TestSameAnswers:
    def test_the_fast_path_serves_the_hot_routes(self, twins: Twins) -> None:
        claims = ["/fhir/Claim", "/fhir/Claim/$submit"]  # prior authorization's
        assert _hot_paths(twins.fast) == sorted([SUBMIT, CREATE, *claims])
        assert _hot_paths(twins.routed) == []

    def test_success_on_both_routes(self, twins: Twins) -> None:
        assert both(twins, SUBMIT, content=body(twins)).status_code == 200
        created = both(twins, CREATE, content=body(twins, "ald"))
        assert created.status_code == 201 and "Location" in created.headers

    @pytest.mark.parametrize(
        ("content", "headers", "status"),
        [
            (b"{", {}, 400),  # not JSON
            (b"[1]", {}, 400),  # not an object
            (b'{"resourceType": "Patient"}', {}, 400),  # malformed for this endpoint
            (b"[" * 40 + b"]" * 40, {}, 400),  # too deep
            (b"{}", {"Content-Type": "text/plain"}, 415),
            (b"{}", {"Accept": "application/xml"}, 406),
            (b"x" * 1_100_000, {}, 413),
            (b"{}", {"Authorization": "Bearer forged"}, 401),
            (b"{}", {"Idempotency-Key": "bad key with spaces"}, 400),
        ],
    )
    def test_each_edge_error(
        self, twins: Twins, content: bytes, headers: dict[str, str], status: int
    ) -> None:
        answer = both(twins, SUBMIT, content=content, headers=headers)
        assert answer.status_code == status
        assert answer.json()["resourceType"] == "OperationOutcome"

    def test_no_token(self, twins: Twins) -> None:
        assert both(twins, SUBMIT, auth=False, content=body(twins)).status_code == 401

    def test_the_token_is_checked_before_the_body(self, twins: Twins) -> None:
        plain = {"Content-Type": "text/plain"}
        answer = both(twins, SUBMIT, auth=False, content=b"x" * 1_100_000, headers=plain)
        assert answer.status_code == 401

    def test_a_broken_rule(self, twins: Twins) -> None:
        request = eligibility_request("12")  # not an IDCS: a rule of the identifier's format
        answer = both(twins, SUBMIT, content=orjson.dumps(request))
        assert answer.status_code == 422

    def test_replay_and_key_reuse(self, twins: Twins) -> None:
        key = {"Idempotency-Key": "fast-path-1"}
        first = both(twins, SUBMIT, content=body(twins), headers=key)
        again = both(twins, SUBMIT, content=body(twins), headers=key)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.content == first.content
        reused = both(twins, SUBMIT, content=body(twins, "ald"), headers=key)
        assert reused.status_code == 422
        assert reused.json()["issue"][0]["details"]["coding"][0]["code"] == (
            "cle-idempotence-reutilisee"
        )

    def test_the_rate_limit(self, twins: Twins) -> None:
        statuses = [both(twins, SUBMIT, content=body(twins)).status_code for _ in range(14)]
        assert statuses[-1] == 429


def _hot_paths(client: TestClient) -> list[str]:
    layer: Any = client.app.middleware_stack
    while layer is not None:
        if isinstance(layer, FastPath):
            return sorted(layer.served)
        layer = getattr(layer, "app", None)
    return []
