"""SQLite WAL checkpoints taken off the commit path."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text

from adapters.sql.checkpoints import SqliteCheckpointer
from adapters.sql.engine import BACKGROUND_CHECKPOINTS, make_engine


def passive(engine: Engine) -> tuple[int, int, int]:
    """A PASSIVE checkpoint's answer: busy, pages in the WAL, pages copied."""
    raw = engine.raw_connection()
    try:
        busy, logged, copied = raw.driver_connection.execute(  # type: ignore[union-attr]
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).fetchone()
    finally:
        raw.close()
    return busy, logged, copied


class TestSqliteCheckpointer:
    def test_connections_leave_checkpoints_to_the_thread(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
        checkpointer = SqliteCheckpointer.start_for(engine)
        assert checkpointer is not None
        try:
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        finally:
            checkpointer.stop()
            engine.dispose()

    def test_a_checkpoint_copies_the_whole_wal_back(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
        checkpointer = SqliteCheckpointer.start_for(engine)
        assert checkpointer is not None
        try:
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE t (v TEXT)"))
                connection.execute(text("INSERT INTO t VALUES (:v)"), [{"v": "x" * 500}] * 200)
            checkpointer.checkpoint()
            busy, logged, done = passive(engine)
            assert busy == 0
            assert logged == done
        finally:
            checkpointer.stop()
            engine.dispose()

    def test_engines_without_the_thread_keep_sqlite_s_own_checkpoints(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
        try:
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        finally:
            engine.dispose()

    def test_a_long_wal_starts_over_though_a_reader_held_it_during_the_copy(
        self, tmp_path: Path
    ) -> None:
        """Under steady traffic a PASSIVE checkpoint never finds the WAL wholly copied when
        the next writer begins, and the WAL grows without end. Past `restart_frames`, the
        checkpoint waits (briefly) for the reader still on the WAL, so the next commit writes
        the WAL from its start."""
        path = tmp_path / "c.db"
        engine = make_engine(f"sqlite:///{path}")
        checkpointer = SqliteCheckpointer(engine, interval=3600, restart_frames=50)
        BACKGROUND_CHECKPOINTS.add(engine)
        try:
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE t (v TEXT)"))
                connection.execute(text("INSERT INTO t VALUES (:v)"), [{"v": "x" * 500}] * 400)
            reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM t").fetchone()  # a snapshot on the WAL
            with engine.begin() as connection:  # committed after the reader began
                connection.execute(text("INSERT INTO t VALUES (:v)"), [{"v": "y" * 500}] * 100)
            done = threading.Timer(0.02, reader.rollback)  # the reader ends during the checkpoint
            done.start()
            checkpointer.checkpoint()
            done.join()
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES ('z')"))
            _busy, logged, _copied = passive(engine)
            assert logged < 10  # the last commit's pages only: the WAL started over
            reader.close()
        finally:
            engine.dispose()

    def test_a_restart_the_writer_s_lock_kept_out_is_done_between_its_batches(
        self, tmp_path: Path
    ) -> None:
        """A writer that commits without pause holds the write lock nearly all the time: the
        checkpoint thread's RESTART gives up, and the group-commit writer restarts the WAL
        itself after its next commit (between_batches)."""
        path = tmp_path / "c.db"
        engine = make_engine(f"sqlite:///{path}")
        checkpointer = SqliteCheckpointer(engine, interval=3600, restart_frames=50)
        BACKGROUND_CHECKPOINTS.add(engine)

        def commit(rows: int) -> None:
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (:v)"), [{"v": "x" * 500}] * rows)

        try:
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE t (v TEXT)"))
            commit(400)
            reader = sqlite3.connect(path, isolation_level=None)
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM t").fetchone()  # a snapshot before the next
            commit(100)  # pages the reader keeps from being copied
            writer = sqlite3.connect(path, isolation_level=None)
            writer.execute("BEGIN IMMEDIATE")  # the write lock, as a busy writer holds it
            checkpointer.checkpoint()  # copies what it may; its RESTART gives up
            writer.rollback()
            reader.rollback()
            wal = path.with_name("c.db-wal")
            size = wal.stat().st_size
            checkpointer.between_batches()
            commit(100)
            # The WAL started over: the commit wrote its pages from the start of the file
            # (left alone, the WAL is not wholly copied and the commit would append to it).
            assert wal.stat().st_size == size
            writer.close()
            reader.close()
        finally:
            engine.dispose()

    def test_an_idle_database_is_not_restarted_again_every_second(self, tmp_path: Path) -> None:
        """Until the next commit writes the WAL from its start, the WAL keeps its length: a
        gateway left idle does not run a RESTART (and its waits) every second for nothing."""
        engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
        checkpointer = SqliteCheckpointer(engine, interval=3600, restart_frames=50)
        BACKGROUND_CHECKPOINTS.add(engine)
        sent: list[str] = []
        event.listen(
            engine, "connect", lambda dbapi, _record: dbapi.set_trace_callback(sent.append)
        )
        try:
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE t (v TEXT)"))
                connection.execute(text("INSERT INTO t VALUES (:v)"), [{"v": "x" * 500}] * 400)
            restarts = lambda: sum("wal_checkpoint(RESTART)" in s for s in sent)  # noqa: E731
            checkpointer.checkpoint()
            assert restarts() == 1
            checkpointer.checkpoint()  # nothing written since
            assert restarts() == 1
            with engine.begin() as connection:  # written from the WAL's start: short again
                connection.execute(text("INSERT INTO t VALUES (:v)"), [{"v": "y" * 500}] * 600)
            checkpointer.checkpoint()
            assert restarts() == 2
        finally:
            engine.dispose()

    def test_a_database_it_cannot_open_is_skipped_and_logged_never_raised(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The thread outlives a database it cannot open: a warning, no exception."""
        engine = make_engine(f"sqlite:///{tmp_path}")  # a directory, not a file
        checkpointer = SqliteCheckpointer(engine, interval=3600)
        BACKGROUND_CHECKPOINTS.add(engine)
        try:
            with caplog.at_level(logging.WARNING, logger="amo.sql"):
                checkpointer.checkpoint()
                checkpointer.between_batches()  # nothing wanted: nothing tried
            assert [r.getMessage().split(":")[0] for r in caplog.records] == ["checkpoint skipped"]
        finally:
            engine.dispose()
