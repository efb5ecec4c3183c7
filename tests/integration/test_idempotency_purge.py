"""The worker's purge of the answers kept for Idempotency-Keys, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, update

from adapters.crypto import BlindIndex
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.idempotency import IDEMPOTENCY_KEY
from domain.records import IdempotentAnswer
from gateway.bootstrap import Storage
from gateway.commands.worker import IdempotencyPurge

NOW = datetime.now(UTC)
AGES = {"old-1": 100, "old-2": 100, "old-3": 99, "old-4": 80, "old-5": 73, "young-71": 71,
        "young-25": 25, "young-0": 0}  # fmt: skip


def kept(engine: Engine, uow: SqlUnitOfWorkFactory, ages: dict[str, int]) -> None:
    """An answer per key, kept that many hours before NOW."""
    with uow() as work:
        work.idempotency.put_many([IdempotentAnswer("P-1", k, "h", 200, b"{}") for k in ages])
        work.commit()
    with engine.begin() as connection:
        for key, hours in ages.items():
            at = NOW - timedelta(hours=hours)
            c = IDEMPOTENCY_KEY.c
            connection.execute(update(IDEMPOTENCY_KEY).where(c.key == key).values(created_at=at))


def left(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(IDEMPOTENCY_KEY.c.key)))


def job(
    engine: Engine, uow: SqlUnitOfWorkFactory, index: BlindIndex, **sizes: int
) -> IdempotencyPurge:
    return IdempotencyPurge(Storage(engine, uow, index), keep_hours=72, **sizes)


class TestIdempotencyPurge:
    def test_answers_past_their_keeping_go_and_the_younger_stay(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory, index: BlindIndex
    ) -> None:
        kept(engine, uow_factory, AGES)
        assert job(engine, uow_factory, index, batch=2, rounds=10).run(NOW) == 5
        assert left(engine) == {"young-71", "young-25", "young-0"}
        with uow_factory() as work:  # a young key still answers its retries
            assert work.idempotency.get("P-1", "young-71") is not None

    def test_a_run_forgets_a_few_batches_at_most_the_oldest_first(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory, index: BlindIndex
    ) -> None:
        kept(engine, uow_factory, AGES)
        purge = job(engine, uow_factory, index, batch=2, rounds=1)
        assert purge.run(NOW) == 2
        assert left(engine) >= {"old-3", "old-4", "old-5"}
        assert not left(engine) & {"old-1", "old-2"}
        assert [purge.run(NOW) for _ in range(3)] == [2, 1, 0]
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(IDEMPOTENCY_KEY)) == 3
