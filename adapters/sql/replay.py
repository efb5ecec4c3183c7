"""The store of client assertion ids (jti) already used: a replayed assertion is refused."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.sql.tables import UsedJtiRow

USED_JTI = UsedJtiRow.__table__
PURGE_PROBABILITY = 0.01  # expired rows go in small batches without a scheduled job


class SqlReplayStore:
    """domain.uow_ports.ReplayStore over the used_jti table."""

    def __init__(
        self,
        session: Session,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        purge_probability: float = PURGE_PROBABILITY,
    ) -> None:
        self._session = session
        self._now = now
        self._purge_probability = purge_probability

    def remember(self, client_id: str, jti: str, expires_at: datetime) -> bool:
        """Record a jti; False when that client already used it (a replay)."""
        if random.random() < self._purge_probability:
            self.purge_expired()
        row = {"client_id": client_id, "jti": jti, "expires_at": expires_at}
        try:
            # A savepoint: the duplicate key error must not doom the caller's transaction.
            with self._session.begin_nested():
                self._session.execute(insert(USED_JTI), [row])
        except IntegrityError:
            return False
        return True

    def purge_expired(self) -> int:
        """Forget the jtis whose assertions have expired; returns how many went."""
        result = self._session.execute(delete(USED_JTI).where(USED_JTI.c.expires_at < self._now()))
        return int(result.rowcount)  # type: ignore[attr-defined]
