"""A failed statement's error, as logged, does not quote what a caller may have sent."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from gateway.logs import describe

CALLER = "caller-text-91c4"
INSERT = text("INSERT INTO audit_head (stream, seq, hash) VALUES (:stream, 0, 'x')")


def duplicate_key_error(engine: Engine) -> IntegrityError:
    """A real duplicate-key error whose key is CALLER (PostgreSQL quotes it in its DETAIL)."""
    with pytest.raises(IntegrityError) as failed, engine.connect() as connection:
        connection.execute(INSERT, {"stream": CALLER})
        connection.execute(INSERT, {"stream": CALLER})
    return failed.value


class TestStatementErrors:
    def test_the_error_does_not_render_its_parameters(self, engine: Engine) -> None:
        assert "[parameters:" not in str(duplicate_key_error(engine))

    def test_the_logged_trace_quotes_neither_parameters_nor_the_driver(
        self, engine: Engine
    ) -> None:
        logged = describe(duplicate_key_error(engine))
        assert CALLER not in logged
        assert "IntegrityError" in logged
        assert ("23505" if engine.dialect.name == "postgresql" else "SQLITE_CONSTRAINT") in logged
