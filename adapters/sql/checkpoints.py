"""SQLite WAL checkpoints in a thread of their own, off the commit path.

By default the connection whose commit pushes the WAL past 1,000 pages copies it back into
the database file, fsync included, while holding up every request waiting on that commit.
A server engine leaves that to this thread: a PASSIVE checkpoint every second, which never
blocks writers.

A PASSIVE checkpoint alone never lets the WAL start over under steady traffic: a commit
always lands while it copies, so the WAL is never wholly copied when the next writer
begins, and it grows without end (hundreds of MB within a minute of claims), every read
searching it. So once the WAL holds `restart_frames` pages, the PASSIVE pass (which copies
nearly everything without blocking anyone) is followed by a RESTART one: it copies the few
pages committed meanwhile and waits, for at most `RESTART_WAIT_MS`, for the readers still on
the WAL, holding writers back that long at most; the next commit then writes the WAL from
its start.

A writer that commits without pause (the group-commit writer of a saturated gateway) takes
the write lock again within microseconds of releasing it, and a RESTART polling for that lock
from this thread hardly ever gets it. So a RESTART that could not finish is left to the writer
itself: `between_batches`, which the group-commit writer calls after each commit, runs it
there, when this process holds no lock, once per long WAL.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from adapters.sql.engine import BACKGROUND_CHECKPOINTS, SQLITE_BUSY_TIMEOUT_MS, is_database_error

log = logging.getLogger("amo.sql")

# SQLite's own automatic checkpoint starts at 1,000 pages (4 MB with 4 KB pages).
RESTART_FRAMES = 1000
# How long a RESTART checkpoint waits for readers (and so holds writers back), at most.
RESTART_WAIT_MS = 100


class SqliteCheckpointer:
    """Checkpoints a SQLite database every `interval` seconds until stopped."""

    def __init__(
        self, engine: Engine, *, interval: float = 1.0, restart_frames: int = RESTART_FRAMES
    ) -> None:
        self._engine = engine
        self._interval = interval
        self._restart_frames = restart_frames
        self._restart_wanted = False  # a long WAL this thread could not restart
        self._restarted = -1  # the WAL's length when this thread last restarted it
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
        """Copy what the WAL holds back into the database, without waiting for writers; once
        it is long, have the next commit write it from its start."""
        self._on_driver("checkpoint", self._passive_then_restart)

    def between_batches(self) -> None:
        """Restart a long WAL that the checkpoint thread could not: called by the writer
        between two commits, when it holds no lock (a no-op otherwise)."""
        if not self._restart_wanted:
            return
        self._restart_wanted = False
        self._on_driver("WAL restart", _restart)

    def _passive_then_restart(self, driver: Any) -> None:
        _busy, logged, _copied = driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if logged >= self._restart_frames and logged != self._restarted:
            restarted = _restart(driver)
            self._restart_wanted = not restarted
            # Until the next commit writes it from its start, the WAL keeps its length: an
            # idle database is not restarted again every second.
            self._restarted = logged if restarted else -1

    def _on_driver(self, what: str, work: Callable[[Any], object]) -> None:
        """`work` on the driver's connection, outside any transaction as a checkpoint must
        be; a database error is logged and `what` skipped."""
        try:
            connection = self._engine.raw_connection()
            try:
                work(connection.driver_connection)
            finally:
                connection.close()
        except Exception as exc:
            # The driver's own errors can come unwrapped (a file it cannot open).
            if not (isinstance(exc, sqlite3.Error) or is_database_error(exc)):
                raise
            log.warning("%s skipped: %s", what, exc)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.checkpoint()


def _restart(driver: Any) -> bool:
    """A RESTART checkpoint; False if it could not finish (a writer or a reader in the way)."""
    driver.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
    try:
        busy, _logged, _copied = driver.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
    finally:
        driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return not busy
