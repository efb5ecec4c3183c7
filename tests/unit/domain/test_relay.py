"""The relay pass against fakes: fan out, claim, attempt, settle."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from domain.notifications import Topic
from domain.records import Notification
from domain.services.deliveries import RelayPorts, relay
from domain.subscriptions import Attempted, Delivery, RetryPolicy
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=5, base_seconds=10.0, cap_seconds=100.0)


def delivery(number: int, attempts: int = 1) -> Delivery:
    event = Notification(
        f"ev-{number}", "org-1", Topic.PA_DECIDED.value, f"ClaimResponse/{number}", NOW
    )
    return Delivery(
        f"msg_{number}", event, "sub-1", number, number, "https://h.example/", "whsec_x", attempts
    )


class FakeQueue:
    """Deliveries handed out once; what was settled, by owner."""

    def __init__(self, *due: Delivery) -> None:
        self.due = list(due)
        self.fanned: list[datetime] = []
        self.settled: list[tuple[str, Attempted]] = []

    async def fan_out(self, now: datetime, limit: int) -> int:
        self.fanned.append(now)
        return 0

    async def claim(self, owner: str, now: datetime, limit: int) -> list[Delivery]:
        taken, self.due = self.due[:limit], self.due[limit:]
        return taken

    async def settle(self, owner: str, attempts: Sequence[Attempted]) -> None:
        self.settled += [(owner, a) for a in attempts]


class FakeSender:
    """Answers per delivery id: None (2xx), an error text, or an exception to raise."""

    def __init__(self, answers: dict[str, str | Exception | None]) -> None:
        self.answers = answers
        self.sent: list[tuple[str, bytes]] = []

    async def send(self, delivery: Delivery, body: bytes) -> str | None:
        self.sent.append((delivery.id, body))
        answer = self.answers.get(delivery.id)
        if isinstance(answer, Exception):
            raise answer
        return answer


@contextmanager
def collected(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records a logger emits meanwhile (whatever the app's logging set up before)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger(name)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def ports(queue: FakeQueue, sender: FakeSender, draw: float = 0.5) -> RelayPorts:
    return RelayPorts(queue, sender, lambda d: d.id.encode(), POLICY, FakeClock(NOW), lambda: draw)


class TestRelay:
    async def test_a_delivered_notification_is_settled_delivered(self) -> None:
        queue, sender = FakeQueue(delivery(1)), FakeSender({})
        assert await relay(ports(queue, sender), owner="w1", batch=10) == 1
        assert sender.sent == [("msg_1", b"msg_1")]
        owner, attempted = queue.settled[0]
        assert owner == "w1" and attempted.delivered and attempted.at == NOW

    async def test_a_failure_is_retried_after_a_jittered_wait(self) -> None:
        queue, sender = FakeQueue(delivery(1, attempts=2)), FakeSender({"msg_1": "HTTP 503"})
        await relay(ports(queue, sender, draw=0.25), owner="w1", batch=10)
        attempted = queue.settled[0][1]
        assert attempted.error == "HTTP 503"
        assert attempted.retry_at == NOW + timedelta(seconds=20 * 0.25)

    async def test_the_last_attempt_s_failure_is_dead_and_said(self) -> None:
        queue, sender = FakeQueue(delivery(1, attempts=5)), FakeSender({"msg_1": "délai dépassé"})
        with collected("amo.deliveries") as records:
            await relay(ports(queue, sender), owner="w1", batch=10)
        attempted = queue.settled[0][1]
        assert (attempted.delivered, attempted.retry_at) == (False, None)
        [warning] = [r for r in records if r.levelname == "WARNING"]
        assert warning.getMessage() == (
            "delivery msg_1 of subscription sub-1 dead after 5 attempts: délai dépassé"
        )

    async def test_one_broken_delivery_does_not_fail_the_others(self) -> None:
        queue = FakeQueue(delivery(1), delivery(2))
        sender = FakeSender({"msg_1": RuntimeError("bug")})
        await relay(ports(queue, sender), owner="w1", batch=10)
        outcomes = {a.delivery_id: a for _, a in queue.settled}
        assert outcomes["msg_1"].error == "erreur interne (RuntimeError)"
        assert outcomes["msg_2"].delivered

    async def test_a_pass_takes_at_most_a_batch(self) -> None:
        queue, sender = FakeQueue(*(delivery(n) for n in range(5))), FakeSender({})
        assert await relay(ports(queue, sender), owner="w1", batch=3) == 3
        assert len(queue.due) == 2

    async def test_an_idle_pass_settles_nothing(self) -> None:
        queue, sender = FakeQueue(), FakeSender({})
        assert await relay(ports(queue, sender), owner="w1", batch=3) == 0
        assert queue.settled == [] and queue.fanned == [NOW]
