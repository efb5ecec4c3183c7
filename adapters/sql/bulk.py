"""Multi-row inserts handed straight to the driver: the group-commit writer's hot path.

SQLAlchemy compiles the statement and runs every value of every row through its type
processors; for the few tables written on every exchange that costs more than the database
work. The values here are made ready for the driver the way those processors would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table

from adapters.sql.tables import UtcDateTime

Convert = Callable[[Any], Any]


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row (all with the same keys) in one executemany."""
    if not rows:
        return
    columns = list(rows[0])
    sql, converters = _plan(connection, table, tuple(columns))
    values = [
        tuple(c(row[name]) for c, name in zip(converters, columns, strict=True)) for row in rows
    ]
    connection.exec_driver_sql(sql, values)


def _plan(
    connection: Connection, table: Table, columns: tuple[str, ...]
) -> tuple[str, list[Convert]]:
    key = (connection.dialect.name, table.name, columns)
    plan = _PLANS.get(key)
    if plan is None:
        quote = connection.dialect.identifier_preparer.quote
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(quote(c) for c in columns)
        markers = ", ".join([marker] * len(columns))
        sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({markers})"
        sqlite = connection.dialect.name == "sqlite"
        converters = [_converter(table.c[c].type, sqlite) for c in columns]
        plan = _PLANS[key] = (sql, converters)
    return plan


def _converter(column_type: Any, sqlite: bool) -> Convert:
    if isinstance(column_type, UtcDateTime):
        return sqlite_instant if sqlite else _utc_instant
    return _same


def _same(value: Any) -> Any:
    return value


def _utc_instant(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("a naive datetime cannot be stored: give it a timezone")
    return None if value is None else value.astimezone(UTC)


def sqlite_instant(value: datetime | None) -> str | None:
    """An instant as SQLite stores it (None stays None)."""
    # SQLAlchemy's SQLite DATETIME text, in UTC: what reads and comparisons expect.
    instant = _utc_instant(value)
    return None if instant is None else instant.strftime("%Y-%m-%d %H:%M:%S.%f")


_PLANS: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[Convert]]] = {}
