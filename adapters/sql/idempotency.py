"""Answers to POST requests that carried an Idempotency-Key, replayed on retry."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.sql.bulk import insert_rows
from adapters.sql.tables import IdempotencyKeyRow
from domain.records import IdempotentAnswer

IDEMPOTENCY_KEY = IdempotencyKeyRow.__table__
_C = IDEMPOTENCY_KEY.c
# Built once: composing a statement costs more than running it on SQLite (every keyed request).
_GET = select(_C.request_hash, _C.status, _C.body, _C.response_id, _C.request_id).where(
    _C.tenant == bindparam("tenant"), _C.key == bindparam("key")
)
_TAKEN = select(_C.key).where(
    _C.tenant == bindparam("tenant"), _C.key.in_(bindparam("keys", expanding=True))
)


class SqlIdempotencyRepository:
    """domain.uow_ports.IdempotencyRepository over the idempotency_key table; it never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, tenant: str, key: str) -> IdempotentAnswer | None:
        """The answer kept for that key of that tenant, if any."""
        row = self._session.execute(_GET, {"tenant": tenant, "key": key}).first()
        if row is None:
            return None
        return IdempotentAnswer(tenant, key, row[0], row[1], bytes(row[2]), row[3], row[4])

    def put(self, answer: IdempotentAnswer) -> None:
        """Keep an answer; a key already kept raises IntegrityError."""
        self.put_many([answer])

    def put_many(self, answers: Sequence[IdempotentAnswer]) -> None:
        """Keep answers in one statement; a key already kept raises IntegrityError (and none
        of them is kept once the caller undoes its savepoint)."""
        if not answers:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "tenant": answer.tenant,
                "key": answer.key,
                "request_hash": answer.request_hash,
                "status": answer.status,
                "body": answer.body,
                "response_id": answer.response_id,
                "request_id": answer.request_id,
                "created_at": now,
            }
            for answer in answers
        ]
        insert_rows(self._session.connection(), IDEMPOTENCY_KEY, rows)

    def taken(self, keys: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (tenant, key) pairs have an answer kept, in one query."""
        if not keys:
            return set()
        found = set()
        for tenant in {tenant for tenant, _ in keys}:
            wanted = [key for t, key in keys if t == tenant]
            rows = self._session.execute(_TAKEN, {"tenant": tenant, "keys": wanted})
            found |= {(tenant, key) for (key,) in rows}
        return found

    def claim(self, answer: IdempotentAnswer) -> bool:
        """Keep an answer; False if the key was taken meanwhile (the transaction goes on)."""
        try:
            with self._session.begin_nested():  # a SAVEPOINT: a clash undoes this insert only
                self.put(answer)
        except IntegrityError:
            return False
        return True

    def purge_before(self, instant: datetime, limit: int | None = None) -> int:
        """Forget the answers kept before that instant, `limit` of them at most (the oldest
        first; rows another worker is deleting are left to it); returns how many went."""
        c = IDEMPOTENCY_KEY.c
        if limit is None:
            query = delete(IDEMPOTENCY_KEY).where(c.created_at < instant)
        else:
            oldest = (
                select(c.tenant, c.key)
                .where(c.created_at < instant)
                .order_by(c.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer
            )
            query = delete(IDEMPOTENCY_KEY).where(tuple_(c.tenant, c.key).in_(oldest))
        return int(self._session.execute(query).rowcount)  # type: ignore[attr-defined]
