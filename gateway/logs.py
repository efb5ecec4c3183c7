"""Structured logs: one JSON object per line, and never patient data nor a caller's text.

A stack trace keeps its frames (where it failed) but the message of an exception only when the
exception is one of ours: the others quote what they were given (a database driver's error
holds the SQL parameters, a parser's the input), which a caller chose. Those are named by
class, with the database's error code (SQLSTATE, SQLite's error name) when there is one.
"""

from __future__ import annotations

import logging
import sys
import traceback
from datetime import UTC, datetime

import orjson

OUR_PACKAGES = frozenset({"domain", "fhir_profiles", "adapters", "gateway"})
# uvicorn logs an exception that escapes the app ("Exception in ASGI application"): the same
# stack trace, so through the same formatter.
SERVER_LOGGERS = ("uvicorn.error",)
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def describe(exc: BaseException) -> str:
    """An exception's stack trace with its chain, messages withheld unless the class is ours."""
    return "".join(_lines(exc, set())).rstrip("\n")


def _lines(exc: BaseException, seen: set[int]) -> list[str]:
    seen.add(id(exc))
    lines: list[str] = []
    cause, context = exc.__cause__, exc.__context__
    if cause is not None and id(cause) not in seen:
        lines += [*_lines(cause, seen), _CAUSE]
    elif context is not None and not exc.__suppress_context__ and id(context) not in seen:
        lines += [*_lines(context, seen), _CONTEXT]
    if exc.__traceback__ is not None:
        lines += ["Traceback (most recent call last):\n", *traceback.format_tb(exc.__traceback__)]
    return [*lines, _headline(exc) + "\n"]


def _headline(exc: BaseException) -> str:
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    if kind.__module__.partition(".")[0] in OUR_PACKAGES:
        return f"{name}: {exc}" if str(exc) else name
    code = _database_code(exc)
    return f"{name} (message withheld{f', code {code}' if code else ''})"


def _database_code(exc: BaseException) -> str | None:
    """SQLSTATE (psycopg) or SQLite's error name, from the error or the driver's under it."""
    for candidate in (exc, getattr(exc, "orig", None)):
        for attribute in ("sqlstate", "sqlite_errorname"):
            code = getattr(candidate, attribute, None)
            if isinstance(code, str) and code:
                return code
    return None


class _Withholding(logging.Formatter):
    """A formatter whose stack traces go through `describe`."""

    def formatException(self, ei: object) -> str:
        """The stack trace of a record's exception, messages withheld as `describe` says."""
        exc = ei[1] if isinstance(ei, tuple) else None
        return describe(exc) if isinstance(exc, BaseException) else ""


class JsonFormatter(_Withholding):
    """Formats a record as one JSON line with its structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON: time, level, logger, message and extra fields."""
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str = "INFO", as_json: bool = True) -> None:
    """Send our logs to stderr; uvicorn's access log is replaced by ours (no raw paths)."""
    handler = logging.StreamHandler(sys.stderr)
    fmt = "%(asctime)s %(levelname)s %(name)s %(message)s"
    handler.setFormatter(JsonFormatter() if as_json else _Withholding(fmt))
    root = logging.getLogger("amo")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    logging.getLogger("uvicorn.access").disabled = True
    for name in SERVER_LOGGERS:
        server = logging.getLogger(name)
        server.handlers[:] = [handler]
        server.propagate = False
