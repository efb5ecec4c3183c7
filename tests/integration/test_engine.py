"""Engines, migrations and the classification of database errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, inspect, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from adapters.sql import is_database_error, make_engine, migrate
from adapters.sql.engine import alembic_config
from tests.integration.conftest import our_tables


class TestMakeEngine:
    def test_sqlite_creates_the_missing_directory(self, sqlite_file: str) -> None:
        engine = make_engine(sqlite_file)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        assert Path(sqlite_file.removeprefix("sqlite:///")).exists()

    def test_sqlite_connections_are_tuned(self, sqlite_file: str) -> None:
        engine = make_engine(sqlite_file)
        with engine.connect() as connection:
            pragmas = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
        engine.dispose()
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 1,  # NORMAL
            "foreign_keys": 1,
            "busy_timeout": 5000,
        }

    def test_sqlite_savepoint_rolls_back_alone(self, sqlite_file: str) -> None:
        engine = make_engine(sqlite_file)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (v INTEGER)")
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
            nested = connection.begin_nested()
            connection.exec_driver_sql("INSERT INTO t VALUES (2)")
            nested.rollback()
        with engine.connect() as connection:
            values = connection.exec_driver_sql("SELECT v FROM t").scalars().all()
        engine.dispose()
        assert values == [1]

    def test_unreachable_postgres_fails_fast_as_a_database_error(self) -> None:
        engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
        started = time.monotonic()
        with pytest.raises(OperationalError) as caught, engine.connect():
            pass
        engine.dispose()
        assert time.monotonic() - started < 5
        assert is_database_error(caught.value)


class TestIsDatabaseError:
    def test_constraint_violation_is_not_an_outage(self, engine: Engine) -> None:
        with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
            statement = "INSERT INTO audit_head (stream, seq, hash) VALUES ('s', 0, '')"
            connection.exec_driver_sql(statement)
            connection.exec_driver_sql(statement)
        assert not is_database_error(caught.value)

    def test_programming_error_is_not_an_outage(self, postgres_engine: Engine) -> None:
        with pytest.raises(ProgrammingError) as caught, postgres_engine.connect() as connection:
            connection.exec_driver_sql("SELECT nothing FROM nowhere")
        assert not is_database_error(caught.value)

    def test_other_exceptions_are_not_database_errors(self) -> None:
        assert not is_database_error(ValueError("x"))


class TestMigrate:
    def test_is_idempotent(self, engine: Engine) -> None:
        migrate(engine)
        migrate(engine)
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert (
                version.scalar_one()
                == ScriptDirectory.from_config(alembic_config()).get_current_head()
            )

    def test_schema_matches_the_table_classes(self, engine: Engine) -> None:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            ours = MetaData()
            for table in our_tables():
                table.to_metadata(ours)
            assert compare_metadata(context, ours) == []

    def test_downgrade_then_upgrade_on_a_fresh_database(self, sqlite_file: str) -> None:
        engine = make_engine(sqlite_file)
        migrate(engine)
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        migrate(engine)
        assert {t.name for t in our_tables()} <= set(inspect(engine).get_table_names())
        engine.dispose()
