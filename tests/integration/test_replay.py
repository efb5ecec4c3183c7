"""The jti replay store and the idempotency store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.replay import SqlReplayStore
from domain.records import IdempotentAnswer
from tests.integration.builders import provider


def later() -> datetime:
    """Five minutes from now: when a jti remembered now expires (read at each use, however
    long the session ran before)."""
    return datetime.now(UTC) + timedelta(minutes=5)


class TestSqlReplayStore:
    def test_first_use_is_accepted_and_replay_refused(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            assert uow.replay.remember("client-1", "jti-1", later()) is True
            assert uow.replay.remember("client-1", "jti-1", later()) is False
            uow.commit()
        with uow_factory() as uow:
            assert uow.replay.remember("client-1", "jti-1", later()) is False

    def test_same_jti_of_another_client_is_accepted(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            assert uow.replay.remember("client-1", "jti-1", later())
            assert uow.replay.remember("client-2", "jti-1", later())

    def test_transaction_survives_a_replay(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.replay.remember("client-1", "jti-1", later())
            uow.replay.remember("client-1", "jti-1", later())
            uow.providers.add(provider())
            uow.commit()
        with uow_factory() as uow:
            assert uow.providers.all() == [provider()]
            assert uow.replay.remember("client-1", "jti-1", later()) is False

    def test_expired_jtis_are_purged(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        past = datetime.now(UTC) - timedelta(seconds=1)
        with uow_factory() as uow:
            never = SqlReplayStore(uow.session, purge_probability=0.0)  # no purge by chance
            never.remember("client-1", "old", past)
            never.remember("client-1", "fresh", later())
            uow.commit()
        with uow_factory() as uow:
            store = SqlReplayStore(uow.session)
            assert store.purge_expired() == 1
            assert store.remember("client-1", "old", later()) is True
            assert store.remember("client-1", "fresh", later()) is False

    def test_remember_purges_now_and_then(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.replay.remember("client-1", "old", datetime.now(UTC) - timedelta(seconds=1))
            store = SqlReplayStore(uow.session, purge_probability=1.0)
            store.remember("client-1", "new", later())
            assert store.remember("client-1", "old", later()) is True


class TestIdempotencyStore:
    def test_put_then_get(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        answer = IdempotentAnswer("P-1", "key-1", "sha256:abc", 201, b'{"resourceType":"X"}')
        with uow_factory() as uow:
            uow.idempotency.put(answer)
            uow.commit()
        with uow_factory() as uow:
            assert uow.idempotency.get("P-1", "key-1") == answer
            assert uow.idempotency.get("P-2", "key-1") is None

    def test_second_put_of_a_key_is_refused(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        answer = IdempotentAnswer("P-1", "key-1", "h", 201, b"{}")
        with pytest.raises(IntegrityError), uow_factory() as uow:
            uow.idempotency.put(answer)
            uow.idempotency.put(answer)

    def test_claim_of_a_taken_key_is_false_and_the_transaction_goes_on(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        first = IdempotentAnswer("P-1", "key-1", "h1", 200, b"{1}")
        with uow_factory() as uow:
            assert uow.idempotency.claim(first) is True
            assert (
                uow.idempotency.claim(IdempotentAnswer("P-1", "key-1", "h2", 200, b"{2}")) is False
            )
            assert (
                uow.idempotency.claim(IdempotentAnswer("P-1", "key-2", "h3", 200, b"{3}")) is True
            )
            uow.commit()
        with uow_factory() as uow:
            assert uow.idempotency.get("P-1", "key-1") == first
            assert uow.idempotency.get("P-1", "key-2") is not None

    def test_purge_before_forgets_old_answers(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.idempotency.put(IdempotentAnswer("P-1", "key-1", "h", 201, b"{}"))
            assert uow.idempotency.purge_before(datetime.now(UTC) + timedelta(seconds=1)) == 1
            assert uow.idempotency.get("P-1", "key-1") is None
