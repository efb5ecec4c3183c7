"""Multi-row inserts handed straight to the driver: the group-commit writer's hot path.

SQLAlchemy compiles the statement and runs every value of every row through its type
processors; for the tables written on every exchange that costs more than the database work.
The values here are made ready for the driver the way those processors would.

The rows go in one `INSERT ... VALUES (...), (...)` statement (in chunks under the drivers'
limits on parameters), not one step per row: the driver lets go of the interpreter lock for
each step and must then take it back from the event loop, so a batch of claims written row
by row spent two thirds of the writer's time waiting for the lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Date, Table

from adapters.sql.tables import UtcDateTime

Convert = Callable[[Any], Any]


# Parameters in one statement at most: SQLite's limit is 32,766 (since 3.32), PostgreSQL's 65,535.
MAX_PARAMETERS = 30_000


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    max_parameters: int = MAX_PARAMETERS,
) -> None:
    """INSERT every row (all with the same keys), in as few statements as `max_parameters`
    allows; a row that breaks a constraint raises IntegrityError, rows before it inserted (the
    caller's transaction or savepoint undoes them)."""
    if not rows:
        return
    columns = tuple(rows[0])
    head, row_marks, converters = _plan(connection, table, columns)
    per_statement = max(1, max_parameters // len(columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values = [
            c(row[name]) for row in chunk for c, name in zip(converters, columns, strict=True)
        ]
        connection.exec_driver_sql(head + ", ".join([row_marks] * len(chunk)), tuple(values))


def _plan(
    connection: Connection, table: Table, columns: tuple[str, ...]
) -> tuple[str, str, list[Convert]]:
    key = (connection.dialect.name, table.name, columns)
    plan = _PLANS.get(key)
    if plan is None:
        quote = connection.dialect.identifier_preparer.quote
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(quote(c) for c in columns)
        head = f"INSERT INTO {quote(table.name)} ({names}) VALUES "
        row_marks = "(" + ", ".join([marker] * len(columns)) + ")"
        sqlite = connection.dialect.name == "sqlite"
        converters = [_converter(table.c[c].type, sqlite) for c in columns]
        plan = _PLANS[key] = (head, row_marks, converters)
    return plan


def _converter(column_type: Any, sqlite: bool) -> Convert:
    if isinstance(column_type, UtcDateTime):
        return sqlite_instant if sqlite else _utc_instant
    if isinstance(column_type, Date) and sqlite:
        return _sqlite_day
    return _same


def _same(value: Any) -> Any:
    return value


def _utc_instant(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("a naive datetime cannot be stored: give it a timezone")
    return None if value is None else value.astimezone(UTC)


def _sqlite_day(value: date | None) -> str | None:
    # SQLAlchemy's SQLite DATE text.
    return None if value is None else value.isoformat()


def sqlite_instant(value: datetime | None) -> str | None:
    """An instant as SQLite stores it (None stays None)."""
    # SQLAlchemy's SQLite DATETIME text, in UTC: what reads and comparisons expect.
    instant = _utc_instant(value)
    return None if instant is None else instant.strftime("%Y-%m-%d %H:%M:%S.%f")


_PLANS: dict[tuple[str, str, tuple[str, ...]], tuple[str, str, list[Convert]]] = {}
