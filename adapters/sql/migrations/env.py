"""Alembic environment: runs on the connection migrate() passes, or on `-x url=...`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlmodel import SQLModel

import adapters.sql.account_tables
import adapters.sql.reftables
import adapters.sql.settlement_tables
import adapters.sql.tables

# Imported for their side effect: the tables register on SQLModel.metadata (autogenerate).
_ = (adapters.sql.tables, adapters.sql.reftables)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        render_item=adapters.sql.tables.render_type,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database with: alembic -x url=postgresql+psycopg://...")
    return url


def run() -> None:
    """Migrate on the given connection, else on a short-lived engine for the command line."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.begin() as own:
            _run(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported")
run()
