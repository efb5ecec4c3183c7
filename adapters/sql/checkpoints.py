"""SQLite WAL checkpoints in a thread of their own, off the commit path.

By default the connection whose commit pushes the WAL past 1,000 pages copies it back into
the database file, fsync included, while holding up every request waiting on that commit.
A server engine leaves that to this thread: a PASSIVE checkpoint every second, which never
blocks writers.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from adapters.sql.engine import BACKGROUND_CHECKPOINTS, is_database_error

log = logging.getLogger("amo.sql")


class SqliteCheckpointer:
    """Checkpoints a SQLite database every `interval` seconds until stopped."""

    def __init__(self, engine: Engine, *, interval: float = 1.0) -> None:
        self._engine = engine
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="amo-checkpoints", daemon=True)

    @classmethod
    def start_for(cls, engine: Engine) -> SqliteCheckpointer | None:
        """Take over checkpoints of a SQLite engine (before it opens connections)."""
        if engine.dialect.name != "sqlite":
            return None
        BACKGROUND_CHECKPOINTS.add(engine)
        checkpointer = cls(engine)
        checkpointer._thread.start()
        return checkpointer

    def stop(self) -> None:
        """Stop, after a last checkpoint."""
        self._stop.set()
        self._thread.join(timeout=10)
        self.checkpoint()

    def checkpoint(self) -> None:
        """Copy what the WAL holds back into the database, without waiting for writers."""
        try:
            connection = self._engine.raw_connection()  # outside any transaction, as it must be
            try:
                connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
            finally:
                connection.close()
        except Exception as exc:
            if not is_database_error(exc):
                raise
            log.warning("checkpoint skipped: %s", exc)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.checkpoint()
