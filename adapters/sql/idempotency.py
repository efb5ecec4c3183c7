"""Answers to POST requests that carried an Idempotency-Key, replayed on retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from adapters.sql.tables import IdempotencyKeyRow

IDEMPOTENCY_KEY = IdempotencyKeyRow.__table__


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The answer recorded for one (tenant, key), and the hash of the request it answered."""

    request_hash: str
    status: int
    body: bytes


class IdempotencyStore:
    """The idempotency_key table; like every repository, it never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, tenant: str, key: str) -> StoredResponse | None:
        """The answer recorded for that key of that tenant, if any."""
        query = select(
            IDEMPOTENCY_KEY.c.request_hash, IDEMPOTENCY_KEY.c.status, IDEMPOTENCY_KEY.c.body
        ).where(IDEMPOTENCY_KEY.c.tenant == tenant, IDEMPOTENCY_KEY.c.key == key)
        row = self._session.execute(query).first()
        return None if row is None else StoredResponse(row[0], row[1], bytes(row[2]))

    def put(self, tenant: str, key: str, response: StoredResponse) -> None:
        """Record an answer; a key already recorded raises IntegrityError (a concurrent retry)."""
        row = {
            "tenant": tenant,
            "key": key,
            "request_hash": response.request_hash,
            "status": response.status,
            "body": response.body,
            "created_at": datetime.now(UTC),
        }
        self._session.execute(insert(IDEMPOTENCY_KEY), [row])

    def purge_before(self, instant: datetime) -> int:
        """Forget the answers recorded before that instant; returns how many went."""
        query = delete(IDEMPOTENCY_KEY).where(IDEMPOTENCY_KEY.c.created_at < instant)
        return int(self._session.execute(query).rowcount)  # type: ignore[attr-defined]
