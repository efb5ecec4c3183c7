"""Stack traces in the logs: where it failed, never what a caller wrote."""

from __future__ import annotations

import logging
import sqlite3

import orjson
from sqlalchemy.exc import DataError, IntegrityError

from domain.errors import Unavailable
from gateway.logs import JsonFormatter, describe

CALLER = "caller-text-55e1"


def raised(error: BaseException, cause: BaseException | None = None) -> BaseException:
    """`error` as raised (with its traceback), from `cause` when given."""
    try:
        raise error from cause
    except BaseException as caught:
        return caught


class TestDescribe:
    def test_a_database_error_keeps_its_class_and_code_not_its_parameters(self) -> None:
        driver = sqlite3.IntegrityError(f"UNIQUE constraint failed: {CALLER}")
        driver.sqlite_errorname = "SQLITE_CONSTRAINT_UNIQUE"
        error = raised(IntegrityError("INSERT INTO provider VALUES (?)", (CALLER,), driver))
        text = describe(error)
        assert CALLER not in text
        assert "sqlalchemy.exc.IntegrityError" in text
        assert "SQLITE_CONSTRAINT_UNIQUE" in text
        assert "Traceback (most recent call last)" in text

    def test_a_builtin_error_quoting_its_input_is_withheld(self) -> None:
        error = raised(ValueError(f"invalid literal for int() with base 10: '{CALLER}'"))
        assert CALLER not in describe(error)
        assert "ValueError (message withheld)" in describe(error)

    def test_our_own_errors_keep_their_message(self) -> None:
        assert "Unavailable: base en panne" in describe(raised(Unavailable("base en panne")))

    def test_the_whole_chain_is_described(self) -> None:
        cause = raised(DataError("SELECT 1", {"id": CALLER}, Exception(CALLER)))
        text = describe(raised(Unavailable("indisponible"), cause))
        assert CALLER not in text
        assert "sqlalchemy.exc.DataError" in text and "Unavailable: indisponible" in text
        assert "direct cause" in text


class TestFormatters:
    def test_json_lines_carry_the_withheld_trace(self) -> None:
        error = raised(ValueError(CALLER))
        record = logging.LogRecord("amo", logging.ERROR, __file__, 1, "boom", (), None)
        record.exc_info = (type(error), error, error.__traceback__)
        line = orjson.loads(JsonFormatter().format(record))
        assert "ValueError" in line["exception"] and CALLER not in line["exception"]
