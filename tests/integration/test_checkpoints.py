"""SQLite WAL checkpoints taken off the commit path."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from adapters.sql.checkpoints import SqliteCheckpointer
from adapters.sql.engine import make_engine


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
            raw = engine.raw_connection()
            try:
                busy, logged, done = raw.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA wal_checkpoint(PASSIVE)"
                ).fetchone()
            finally:
                raw.close()
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
