"""The hash-chained audit log: one chain per stream, one stream per gateway process.

audit_head holds the last (seq, hash) of each stream and the AuditStream object keeps a
copy, so an append usually costs two statements: move the head from the (seq, hash) it
expects, then insert the entry. If the head moved meanwhile (another thread, another process
writing the same stream, or a rolled-back append), the conditional UPDATE matches no row: the
head row is then read with a lock (FOR UPDATE; SQLite's writer already holds the database),
which waits for the other writer's transaction to end and keeps every other writer out until
ours ends, so the second move cannot miss. However many writers share a stream, an append
waits its turn and never fails for it; the chain never forks and a rollback leaves no gap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from adapters.sql.bulk import insert_rows
from adapters.sql.tables import AuditEventRow, AuditHeadRow
from domain.records import AuditEntry

AUDIT_EVENT = AuditEventRow.__table__
AUDIT_HEAD = AuditHeadRow.__table__
GENESIS = "0" * 64  # prev_hash of a stream's first entry
_LOCK_HEAD = (
    select(AUDIT_HEAD.c.seq, AUDIT_HEAD.c.hash)
    .where(AUDIT_HEAD.c.stream == bindparam("stream_id"))
    .with_for_update()
)
_MOVE_HEAD = (
    update(AUDIT_HEAD)
    .where(
        AUDIT_HEAD.c.stream == bindparam("stream_id"),
        AUDIT_HEAD.c.seq == bindparam("old_seq"),
        AUDIT_HEAD.c.hash == bindparam("old_hash"),
    )
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


class AuditStream:
    """The chain a process appends to, and the last head it saw (a cache of audit_head)."""

    def __init__(self, stream_id: str) -> None:
        if not stream_id:
            raise ValueError("an audit stream needs an id")
        self.id = stream_id
        self.head: tuple[int, str] | None = None


def chain_hash(prev_hash: str, stream: str, seq: int, fields: dict[str, Any]) -> str:
    """sha256 of the previous hash and the entry's canonical JSON."""
    canonical = orjson.dumps([stream, seq, *fields.values()])
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def _fields(entry: AuditEntry | Any) -> dict[str, Any]:
    # Key order is part of the hash: never reorder, only append new fields at the end.
    return {
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "tenant": entry.tenant,
        "client_id": entry.client_id,
        "action": entry.action,
        "resource": entry.resource,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }


class SqlAuditLog:
    """domain.uow_ports.AuditLog writing to the audit_event table."""

    def __init__(self, session: Session, stream: AuditStream) -> None:
        self._session = session
        self._stream = stream

    def append(self, entry: AuditEntry) -> None:
        """Add an entry at the end of this process's chain."""
        self.append_many([entry])

    def append_many(self, entries: Sequence[AuditEntry]) -> None:
        """Add entries in order: one head move and one multi-row insert for all of them."""
        if not entries:
            return
        seen = self._stream.head
        if seen is not None and self._move(seen, entries):
            return
        self._stream.head = None  # stale: the head moved since this process last saw it
        if not self._move(self._locked_head(), entries):
            raise RuntimeError(f"audit head of {self._stream.id!r} moved while locked")

    def _move(self, start: tuple[int, str], entries: Sequence[AuditEntry]) -> bool:
        """Extend the chain from `start`; False, and nothing written, if the head is elsewhere."""
        rows, end = _chain(self._stream.id, start, entries)
        move = {"old_seq": start[0], "old_hash": start[1], "new_seq": end[0], "new_hash": end[1]}
        if not self._session.execute(_MOVE_HEAD, {"stream_id": self._stream.id, **move}).rowcount:
            return False
        insert_rows(self._session.connection(), AUDIT_EVENT, rows)
        self._stream.head = end
        return True

    def _locked_head(self) -> tuple[int, str]:
        """The head as the last writer left it, locked until this transaction ends."""
        params = {"stream_id": self._stream.id}
        row = self._session.execute(_LOCK_HEAD, params).first()
        if row is None:  # the stream's first entry ever
            self._session.execute(self._create_head())
            row = self._session.execute(_LOCK_HEAD, params).one()
        return row.seq, row.hash

    def _create_head(self) -> Any:
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        values = {"stream": self._stream.id, "seq": 0, "hash": GENESIS}
        return dialect.insert(AUDIT_HEAD).values(values).on_conflict_do_nothing()


def _chain(
    stream: str, head: tuple[int, str], entries: Sequence[AuditEntry]
) -> tuple[list[dict[str, Any]], tuple[int, str]]:
    """The rows that extend a chain from `head`, and the new head."""
    seq, prev_hash = head
    rows = []
    for entry in entries:
        seq += 1
        digest = chain_hash(prev_hash, stream, seq, _fields(entry))
        rows.append({"stream": stream, "seq": seq, "prev_hash": prev_hash, "hash": digest})
        rows[-1].update(_columns(entry))
        prev_hash = digest
    return rows, (seq, prev_hash)


def _columns(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "tenant": entry.tenant,
        "client_id": entry.client_id,
        "action": entry.action,
        "resource": entry.resource,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of checking audit chains: how many entries, and the first broken one."""

    entries: int
    ok: bool
    first_bad_seq: int | None = None
    first_bad_stream: str | None = None


def verify_chain(bind: Session | Connection | Engine, stream: str | None = None) -> ChainReport:
    """Recompute every hash of one stream (or all streams) and check heads and sequences."""
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return verify_chain(connection, stream)
    events = select(AUDIT_EVENT).order_by(AUDIT_EVENT.c.stream, AUDIT_EVENT.c.seq)
    heads = select(AUDIT_HEAD.c.stream, AUDIT_HEAD.c.seq, AUDIT_HEAD.c.hash)
    if stream is not None:
        events = events.where(AUDIT_EVENT.c.stream == stream)
        heads = heads.where(AUDIT_HEAD.c.stream == stream)
    checker = _ChainChecker({row.stream: (row.seq, row.hash) for row in bind.execute(heads)})
    rows = bind.execute(events.execution_options(yield_per=1000))  # a server-side cursor
    try:
        all(checker.check(row) for row in rows)  # stops at the first broken entry
    finally:
        rows.close()
    return checker.report()


class _ChainChecker:
    """Walks entries in (stream, seq) order and remembers the first one that breaks."""

    def __init__(self, heads: dict[str, tuple[int, str]]) -> None:
        self._heads = heads
        self._tails: dict[str, tuple[int, str]] = {}
        self.entries = 0
        self.bad: tuple[str, int] | None = None

    def check(self, row: Any) -> bool:
        """Check one entry against its predecessor; False once the chain is broken."""
        self.entries += 1
        seq, prev_hash = self._tails.get(row.stream, (0, GENESIS))
        expected = chain_hash(prev_hash, row.stream, row.seq, _fields(row))
        if row.seq != seq + 1 or row.prev_hash != prev_hash or row.hash != expected:
            self.bad = (row.stream, row.seq)
            return False
        self._tails[row.stream] = (row.seq, row.hash)
        return True

    def report(self) -> ChainReport:
        """The verdict, including chains whose last entries were removed (head ahead)."""
        if self.bad is None:
            self.bad = self._truncated()
        if self.bad is None:
            return ChainReport(self.entries, True)
        return ChainReport(self.entries, False, self.bad[1], self.bad[0])

    def _truncated(self) -> tuple[str, int] | None:
        for stream in sorted(self._heads.keys() | self._tails.keys()):
            tail = self._tails.get(stream, (0, GENESIS))
            if self._heads.get(stream) != tail:
                return stream, tail[0] + 1
        return None
