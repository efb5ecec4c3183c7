"""Multi-row inserts handed to the driver (adapters/sql/bulk.py) store what SQLAlchemy's own
insert stores, on SQLite and PostgreSQL: instants in UTC, days, bytes, nulls; in several
statements when the rows outnumber one statement's parameters; a row breaking a constraint
raises IntegrityError."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from adapters.sql.bulk import insert_rows
from adapters.sql.tables import IdempotencyKeyRow, LedgerEntryRow

ENTRY = LedgerEntryRow.__table__
KEY = IdempotencyKeyRow.__table__
CASABLANCA = timezone(timedelta(hours=1))


def entries(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"id": f"e-{n:04d}", "kind": "accepted",
         "at": datetime(2026, 3, 2, 9, 30, n % 60, 123456, tzinfo=CASABLANCA),
         "source": f"org-1:F-{n}", "due": None if n % 3 else date(2026, 4, 1) + timedelta(n),
         "request_id": f"req-{n}", "response_id": ""}
        for n in range(start, start + count)
    ]  # fmt: skip


def stored(engine: Engine, table: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))
        ]


def through_sqlalchemy(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> list[Any]:
    with engine.begin() as connection:
        connection.execute(insert(table), rows)
    found = stored(engine, table)
    with engine.begin() as connection:
        connection.execute(table.delete())
    return found


class TestInsertRows:
    @pytest.mark.parametrize("count, max_parameters", [(1, 30_000), (25, 30_000), (25, 21)])
    def test_the_rows_sqlalchemy_would_store(
        self, engine: Engine, count: int, max_parameters: int
    ) -> None:
        rows = entries(count)
        expected = through_sqlalchemy(engine, ENTRY, rows)
        with engine.begin() as connection:
            insert_rows(connection, ENTRY, rows, max_parameters=max_parameters)
        assert stored(engine, ENTRY) == expected
        assert len(expected) == count
        assert expected[0][2] == datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=UTC)  # in UTC

    def test_bytes_and_instants(self, engine: Engine) -> None:
        at = datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=UTC)
        rows = [{"tenant": "org-1", "key": f"k-{n}", "request_hash": "h", "status": 201,
                 "body": bytes(range(256)) * n, "response_id": "", "request_id": "",
                 "created_at": at} for n in range(3)]  # fmt: skip
        expected = through_sqlalchemy(engine, KEY, rows)
        with engine.begin() as connection:
            insert_rows(connection, KEY, rows, max_parameters=8)  # a row a statement
        assert stored(engine, KEY) == expected
        assert [bytes(row[4]) for row in expected] == [
            b"",
            bytes(range(256)),
            bytes(range(256)) * 2,
        ]

    def test_a_row_breaking_a_constraint_in_a_later_statement(self, engine: Engine) -> None:
        rows = entries(10) + entries(1, start=3)  # e-0003 twice, in the last statement
        with pytest.raises(IntegrityError), engine.begin() as connection:
            insert_rows(connection, ENTRY, rows, max_parameters=7 * 4)
        assert stored(engine, ENTRY) == []  # the transaction undid the statements before
