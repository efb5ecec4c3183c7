"""The gateway as deployed: uvicorn on PostgreSQL and Redis; losing and regaining PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from devtools.server import free_port, running, server_environment
from tests.e2e.pa_world import costly_drug
from tests.e2e.services import REDIS_URL, fresh_postgres_database, redis_or_skip
from tests.e2e.support import IDCS, GatewayState, eligibility_request, prepare_state, token_form
from tests.e2e.tcpproxy import TcpProxy
from tests.e2e.test_registry_updates import _ended_yesterday

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


class TestHungDatabase:
    def test_a_silent_database_answers_503_in_bounded_time_and_records_nothing_late(
        self, stack: Stack
    ) -> None:
        headers = token(stack)
        _, cold = stack.state.people["transferred"]
        _, warm = stack.state.people["disabled-child"]
        assert submit(stack, headers, warm).status_code == 200  # cached in Redis from now on
        keyed = {**headers, "Idempotency-Key": "hung-database-1"}
        stack.proxy.hang()
        try:
            for idcs, sent in ((cold, keyed), (warm, headers)):
                started = time.monotonic()
                answer = submit(stack, sent, idcs)
                took = time.monotonic() - started
                assert answer.status_code == 503, answer.text
                assert int(answer.headers["Retry-After"]) > 0
                assert took < 9, f"answered after {took:.1f} s"  # deadline 5 s, plus slack
            started = time.monotonic()
            assert httpx.get(f"{stack.base}/readyz", timeout=15).status_code == 503
            assert time.monotonic() - started < 4
        finally:
            stack.proxy.restore()
        retried = _until_answered(stack, keyed, cold)
        assert retried.status_code == 200
        assert "Idempotent-Replayed" not in retried.headers  # the 503 recorded nothing
        again = submit(stack, keyed, cold)
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.content == retried.content
        found = httpx.get(
            f"{stack.base}/fhir/CoverageEligibilityResponse",
            params={"patient:identifier": f"{IDCS}|{cold}"},
            headers=headers,
        ).json()
        assert found["total"] == 1  # one exchange: nothing stored late, nothing twice


def _until_answered(stack: Stack, headers: dict[str, str], idcs: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        answer = submit(stack, headers, idcs)
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


class TestImportWhileRedisIsAway:
    def test_an_import_that_cannot_reach_redis_still_ends_the_cached_answer(
        self, stack: Stack, tmp_path: Path
    ) -> None:
        headers = token(stack)
        _, idcs = stack.state.people["student"]
        assert _status(submit(stack, headers, idcs)) == "open"  # cached in Redis
        changed = tmp_path / "change.jsonl"
        changed.write_bytes(orjson.dumps(_ended_yesterday(stack.state, idcs)) + b"\n")
        away = {**stack.state.env, "AMO_REDIS_URL": "redis://127.0.0.1:1/0"}  # nothing there
        command = [sys.executable, "-m", "gateway.cli", "members", "import", str(changed),
                   "--quiet"]  # fmt: skip
        done = subprocess.run(command, env=server_environment(away), capture_output=True,
                              text=True, timeout=60, check=True)  # fmt: skip
        assert "cache partagé (Redis) injoignable" in done.stderr
        client = redis_or_skip()
        assert any(True for _ in client.scan_iter(match=f"{stack.prefix}elig:*", count=1000))
        deadline = time.monotonic() + 10  # the registry's version is read every 2 s
        seen = "open"
        while seen == "open" and time.monotonic() < deadline:
            time.sleep(0.3)
            seen = _status(submit(stack, headers, idcs))
        assert seen == "maintained"


def _status(answer: httpx.Response) -> str:
    extensions = answer.json()["insurance"][0]["extension"]
    return str(next(e["valueCoding"]["code"] for e in extensions if e["url"].endswith("status")))


class TestPriorAuthorizationAndClaimsWithoutTheDatabase:
    def test_each_is_answered_503_never_a_500_nor_a_wrong_answer(self, stack: Stack) -> None:
        form = token_form(stack.state.pharmacy, f"{stack.base}/auth/token",
                          "system/Claim.crs system/ClaimResponse.rs system/Task.c")  # fmt: skip
        answer = httpx.post(f"{stack.base}/auth/token", data=form)
        answer.raise_for_status()
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        _, idcs = stack.state.people["dialysis"]
        asked = costly_drug(idcs)
        business = [{"system": "urn:oid:2.16.504.1.1", "value": "FACT-DOWN-1"}]
        billed = {**costly_drug(idcs), "use": "claim", "identifier": business}
        stack.proxy.cut()
        try:
            for body in (asked, billed):
                lost = httpx.post(f"{stack.base}/fhir/Claim/$submit", json=body,
                                  headers=headers, timeout=15)  # fmt: skip
                assert lost.status_code == 503, lost.text
                assert lost.json()["issue"][0]["details"]["coding"][0]["code"] == (
                    "service-indisponible"
                )
            search = httpx.get(f"{stack.base}/fhir/ClaimResponse", headers=headers, timeout=15)
            assert search.status_code == 503
        finally:
            stack.proxy.start()
        deadline, status = time.monotonic() + 20, 0
        while time.monotonic() < deadline and status != 200:
            status = httpx.post(f"{stack.base}/fhir/Claim/$submit", json=asked,
                                headers=headers, timeout=15).status_code  # fmt: skip
            time.sleep(0.3)
        assert status == 200
