"""The reads a request makes before it is decided, on SQLite, run on the event loop.

A claim reads its Idempotency-Key and the patient's history before it is decided. Through
the worker threads (adapters/sql/reads.py) each read costs a thread hop and a SQLAlchemy
session's transaction: on the pharmacy bench the read threads used about a third of a core,
some 0.45 ms of CPU a read, for statements SQLite answers in tens of microseconds. Here each
read is one statement on a read-only connection of the event loop's own, the one the cold
member lookup uses (adapters/sql/member_lookup.py):

- a WAL reader never waits for the writer, and sees every commit made before it starts;
- a progress handler interrupts a statement past the request's deadline: `Unavailable`;
- a locked or unreadable database is read the threaded way, which waits and answers
  `Unavailable` as it always did.

Each answer is exactly the threaded reader's: tests/integration/test_direct_reads.py checks
both on the same data.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from adapters.crypto import BlindIndex
from adapters.sql.claim_lines import MEMBER_KIND, PRESCRIPTION_KIND
from domain.authorization_ports import ClaimHistoryReader
from domain.claim_history import HistoryLine
from domain.errors import Unavailable
from domain.ledger import EntryKind
from domain.money import Money
from domain.ports import IdempotencyStore
from domain.records import IdempotentAnswer

PROGRESS_STEPS = 100  # SQLite virtual machine steps between two looks at the clock (~1 µs)
SQLITE_BUSY_MS = 50  # past this a locked database is read through the threaded reader

_KEPT = (
    "SELECT request_hash, status, body, response_id, request_id FROM idempotency_key "
    'WHERE tenant = ? AND "key" = ?'
)
# adapters/sql/claim_lines.py's history query: a member's lines since a day (and the lines of
# some prescriptions), but those of a claim the ledger reversed, in the same order.
_HISTORY = """
SELECT source, sequence, provider_id, member_index, code, category, service_date, quantity,
       prescription_index, benefit_centimes
FROM claim_line
WHERE ((member_index = ? AND service_date >= ?){prescriptions})
  AND NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.source = claim_line.source AND e.kind = ?)
ORDER BY service_date, source, sequence
"""


class SqliteDirect:
    """A read-only connection to a SQLite file, used from the event loop only."""

    def __init__(self, path: str, *, deadline: float) -> None:
        self._deadline = deadline
        self._connection = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        self._connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        self._connection.execute("PRAGMA query_only=ON")
        self._until = 0.0
        self._connection.set_progress_handler(self._past_deadline, PROGRESS_STEPS)

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    def rows(self, sql: str, params: Sequence[Any]) -> list[Any] | None:
        """The statement's rows, or None when the database is locked or cannot be read (read
        it the threaded way); `Unavailable` past the deadline or on any other failure."""
        self._until = time.monotonic() + self._deadline
        try:
            return self._connection.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise Unavailable("Base de données trop lente : réessayez plus tard") from exc
            return None
        except sqlite3.Error as exc:
            raise Unavailable("Base de données indisponible") from exc

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self._until else 0


class SqliteIdempotencyLookup:
    """domain.ports.IdempotencyStore on the event loop's SQLite connection."""

    def __init__(self, direct: SqliteDirect, *, fallback: IdempotencyStore) -> None:
        self._direct, self._fallback = direct, fallback

    async def kept(self, tenant: str, key: str) -> IdempotentAnswer | None:
        """The answer kept for that key of that tenant, if any."""
        rows = self._direct.rows(_KEPT, (tenant, key))
        if rows is None:
            return await self._fallback.kept(tenant, key)
        if not rows:
            return None
        request_hash, status, body, response_id, request_id = rows[0]
        return IdempotentAnswer(
            tenant, key, request_hash, status, bytes(body), response_id, request_id
        )


class SqliteClaimHistory:
    """domain.authorization_ports.ClaimHistoryReader on the event loop's SQLite connection."""

    def __init__(
        self, direct: SqliteDirect, *, index: BlindIndex, fallback: ClaimHistoryReader
    ) -> None:
        self._direct, self._index, self._fallback = direct, index, fallback
        self._statements: dict[int, str] = {}

    async def lines(
        self, member_id: str, since: date, prescriptions: Collection[str]
    ) -> list[HistoryLine]:
        """The member's lines since a day and the lines of these prescriptions, in one query."""
        member = self._index.digest(MEMBER_KIND, member_id)
        asked = {self._index.digest(PRESCRIPTION_KIND, p): p for p in prescriptions}
        params = [member, since.isoformat(), *asked, EntryKind.REVERSAL.value]
        rows = self._direct.rows(self._statement(len(asked)), params)
        if rows is None:
            return await self._fallback.lines(member_id, since, prescriptions)
        return [
            HistoryLine(
                source=source,
                sequence=sequence,
                provider_id=provider_id,
                member_id=member_id if member_index == member else None,
                code=code,
                category=category,
                service_date=date.fromisoformat(service_date),
                quantity=quantity,
                prescription_id=None if prescription is None else asked.get(prescription),
                benefit=Money(int(benefit)),
            )
            for (source, sequence, provider_id, member_index, code, category, service_date,
                 quantity, prescription, benefit) in rows
        ]  # fmt: skip

    def _statement(self, prescriptions: int) -> str:
        found = self._statements.get(prescriptions)
        if found is None:
            marks = ", ".join("?" * prescriptions)
            extra = f" OR prescription_index IN ({marks})" if prescriptions else ""
            found = self._statements[prescriptions] = _HISTORY.format(prescriptions=extra)
        return found
