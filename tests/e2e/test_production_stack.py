"""The gateway as deployed: uvicorn on PostgreSQL and Redis; losing and regaining PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from devtools.server import free_port, running
from tests.e2e.services import REDIS_URL, fresh_postgres_database, redis_or_skip
from tests.e2e.support import GatewayState, eligibility_request, prepare_state, token_form
from tests.e2e.tcpproxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


@dataclass(frozen=True)
class Stack:
    """A running gateway whose database connection goes through a relay we can cut."""

    base: str
    state: GatewayState
    proxy: TcpProxy
    prefix: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    redis_or_skip()
    with fresh_postgres_database() as database_url:
        proxy = TcpProxy(("127.0.0.1", 5432))
        proxy.start()
        relayed = database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        work = tmp_path_factory.mktemp("stack")
        state = prepare_state(work, base, AMO_DATABASE_URL=relayed, AMO_REDIS_URL=REDIS_URL)
        try:
            with running(state.env, port, Path(work) / "server.log"):
                yield Stack(base, state, proxy, "amo:")
        finally:
            proxy.cut()


def token(stack: Stack) -> dict[str, str]:
    answer = httpx.post(
        f"{stack.base}/auth/token",
        data=token_form(stack.state.pharmacy, f"{stack.base}/auth/token"),
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def submit(stack: Stack, headers: dict[str, str], idcs: str) -> httpx.Response:
    return httpx.post(
        f"{stack.base}/fhir/CoverageEligibilityRequest/$submit",
        json=eligibility_request(idcs),
        headers=headers,
        timeout=15,
    )


class TestOnPostgresAndRedis:
    def test_concurrent_replays_of_one_assertion_are_refused_not_failed(self, stack: Stack) -> None:
        form = token_form(stack.state.pharmacy, f"{stack.base}/auth/token")

        def post(_: int) -> int:
            return httpx.post(f"{stack.base}/auth/token", data=form, timeout=15).status_code

        with ThreadPoolExecutor(24) as pool:
            codes = sorted(pool.map(post, range(24)))
        assert codes == [200] + [401] * 23

    def test_eligibility_is_answered_and_cached_in_redis(self, stack: Stack) -> None:
        headers = token(stack)
        _, idcs = stack.state.people["open"]
        first = submit(stack, headers, idcs)
        assert first.status_code == 200, first.text
        assert first.json()["insurance"][0]["inforce"] is True
        client = redis_or_skip()
        assert any(True for _ in client.scan_iter(match=f"{stack.prefix}elig:*", count=1000))
        again = submit(stack, headers, idcs)
        assert again.json()["insurance"][0]["inforce"] is True
        metrics = httpx.get(f"{stack.base}/metrics").text
        assert 'amo_eligibility_decisions_total{cache="hit",status="open"}' in metrics

    def test_database_loss_answers_503_then_recovers_by_itself(self, stack: Stack) -> None:
        headers = token(stack)
        _, idcs = stack.state.people["open"]
        assert submit(stack, headers, idcs).status_code == 200
        stack.proxy.cut()
        try:
            lost = submit(stack, headers, idcs)
            assert lost.status_code == 503
            assert int(lost.headers["Retry-After"]) > 0
            body = lost.json()
            assert body["resourceType"] == "OperationOutcome"
            assert body["issue"][0]["details"]["coding"][0]["code"] == "service-indisponible"
            assert httpx.get(f"{stack.base}/readyz", timeout=15).status_code == 503
        finally:
            stack.proxy.start()
        deadline = time.monotonic() + 20
        status = 0
        while time.monotonic() < deadline and status != 200:
            status = submit(stack, headers, idcs).status_code
            time.sleep(0.3)
        assert status == 200
        assert httpx.get(f"{stack.base}/readyz").status_code == 200
