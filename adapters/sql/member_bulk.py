"""Members written a batch at a time: the registry import's path to the database.

One round trip per statement and batch, not per member: the members already stored are read
in one query, the new ones go in by COPY on PostgreSQL (one executemany on SQLite), the
known ones are replaced through a staging table (one executemany on SQLite), and their
identifiers replaced. The rows are the ones `SqlMemberRepository.save` writes, member by
member: same facts, same encrypted personal data, same blind indexes.

A batch is written by a thread of its own while the caller reads and encodes the next one:
the database works (SQLite with the GIL released, PostgreSQL in its own process) while
Python parses. One batch at most is in flight, and anything else done on the connection
waits for it first (`settle`), so the transaction sees its statements in order.

What a member's rows hold (facts, encrypted personal data, blind indexes) is `seal`ed from
its registry entry: here for entries read in process, or beforehand by the worker processes
of a parallel import (adapters/registry_parallel.py), which hand over `SealedEntry`s.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

from sqlalchemy import Connection

from adapters.crypto import BlindIndex, FieldCipher
from adapters.sql.bulk import sqlite_instant
from adapters.sql.member_codec import decode_identifiers, encode_facts, encode_person
from domain.members import IdentifierKind, PersonIdentifier
from domain.records import RegistryEntry, SealedEntry, StoredEntry

_KIND = {kind: kind.value for kind in IdentifierKind}  # an Enum's .value costs, per member
# SQLite's page cache for an import's connection (2 MiB by default): a file replacing people
# across a million-person table reads its pages at random, and every miss is a read; 128 MiB
# halved the wall time of a 350,000-person change file on a 1,000,000-person registry.
SQLITE_CACHE_KIB = 131_072
LOOKUP_CHUNK = 500  # member ids per IN (...): well under SQLite's bound variables limit

_NEW = "member (member_id, version, updated_at, facts, names_enc)"
_IDS = 'member_identifier ("index", member_id)'
_STAGED = "member_staged (updated_at, facts, names_enc, member_id)"
# PostgreSQL copies these rows in its binary format: the server reads each value as it is
# stored, with no text to parse, and the encrypted names travel as bytes, not doubled in hex.
_COPY_TYPES = {
    _NEW: ("varchar", "int4", "timestamptz", "text", "bytea"),
    _IDS: ("varchar", "varchar"),
    _STAGED: ("timestamptz", "text", "bytea", "text"),
}
_REPLACE = (
    "UPDATE member SET version = version + 1, updated_at = {m}, facts = {m}, names_enc = {m} "
    "WHERE member_id = {m}"
)
_FORGET = 'DELETE FROM member_identifier WHERE "index" = {m} AND member_id = {m}'
_STAGING_BEFORE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS member_staged "
    "(updated_at timestamptz, facts text, names_enc bytea, member_id text PRIMARY KEY) "
    "ON COMMIT DROP",
    # Emptied, not deleted from: a DELETE leaves its dead rows for the rest of the file's
    # transaction, and each batch's UPDATE and ANALYZE would read every batch before it
    # (28.5 s against 13.9 s for a 347,235-person change file on a million-person registry).
    "TRUNCATE member_staged",
)
_STAGING_AFTER = (
    # A temporary table has no statistics until analysed: without them the planner joins
    # by scanning the whole member table, batch after batch, instead of using its keys.
    "ANALYZE member_staged",
    "UPDATE member SET version = member.version + 1, updated_at = s.updated_at, "
    "facts = s.facts, names_enc = s.names_enc FROM member_staged s "
    "WHERE member.member_id = s.member_id",
)
_STORED = "SELECT member_id, names_enc FROM member WHERE member_id IN ({marks})"
# A sealed member: (member_id, identifiers as (kind, value), version, facts, names_enc,
# blind indexes sorted and distinct): plain values, cheap to send from a worker process.
Sealed = tuple[str, tuple[tuple[str, str], ...], int, str, bytes, tuple[str, ...]]


def seal(entry: RegistryEntry, cipher: FieldCipher, index: BlindIndex) -> Sealed:
    """A member's rows as this module writes them, but for the time of its writing."""
    member_id = entry.member.member_id
    pairs = tuple((_KIND[i.kind], i.value) for i in entry.identifiers)
    names = cipher.encrypt(encode_person(entry), aad=member_id.encode())
    digests = tuple(sorted({index.digest(kind, value) for kind, value in pairs}))
    return member_id, pairs, entry.member.version, encode_facts(entry.member), names, digests


def sealed_entry(row: Sealed) -> SealedEntry:
    """The domain's view of a sealed member: its id and identifiers, the rest opaque."""
    return SealedEntry(row[0], row[1], row)


@dataclass(slots=True)
class _Rows:
    """What a batch writes: members new and known, identifiers added and dropped.

    A known member keeps the identifier rows it still has: a change file rarely changes
    identifiers, and rewriting them all would cost the most of its writing.
    """

    new: list[tuple[Any, ...]] = field(default_factory=list)
    known: list[tuple[Any, ...]] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)

    def identifiers(self, member_id: str, now: tuple[str, ...], before: set[str]) -> None:
        """Note the blind indexes a member gains and loses (`now` sorted and distinct)."""
        if not before:  # a new member, nearly all of a full file's: no set to build
            self.added.extend(zip(now, repeat(member_id)))
            return
        kept = set(now)
        self.added.extend((value, member_id) for value in sorted(kept - before))
        self.dropped.extend((value, member_id) for value in sorted(before - kept))


class MemberBatchWriter:
    """Inserts or replaces a batch of members (distinct ids) on one connection."""

    def __init__(self, connection: Connection, *, cipher: FieldCipher, index: BlindIndex) -> None:
        self._connection = connection
        self._cipher = cipher
        self._index = index
        self._copy = connection.dialect.name == "postgresql"
        self._mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="member-writer")
        self._pending: Future[None] | None = None
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")

    def settle(self) -> None:
        """Wait for the batch being written; raise what its writing raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the batch being written, then stop the thread; an error of that batch
        is left to the rollback that follows (the caller is already failing or rolling back)."""
        try:
            self.settle()
        except Exception:
            pass
        finally:
            self._thread.shutdown()

    def save(self, entries: Sequence[StoredEntry]) -> dict[str, tuple[PersonIdentifier, ...]]:
        """Store these members (the writing finishes in the background); the identifiers
        stored before for those already known."""
        self.settle()
        stored = self._stored([entry.member_id for entry in entries])
        old = {member_id: self._old(member_id, token) for member_id, token in stored.items()}
        now = datetime.now(UTC)
        when: Any = now if self._copy else sqlite_instant(now)
        self._pending = self._thread.submit(self._write, self._rows(entries, old, when))
        return old

    def _rows(
        self,
        entries: Sequence[StoredEntry],
        old: dict[str, tuple[PersonIdentifier, ...]],
        when: Any,
    ) -> _Rows:
        rows = _Rows()
        if not old:  # new members only, as in nearly every batch of a full file
            sealed = [self._sealed(entry) for entry in entries]
            rows.new = [
                (m, version, when, facts, names) for m, _, version, facts, names, _ in sealed
            ]
            rows.added = [(digest, s[0]) for s in sealed for digest in s[5]]
            return rows
        for entry in entries:
            member_id, _pairs, version, facts, names, digests = self._sealed(entry)
            before = old.get(member_id)
            if before is None:
                rows.new.append((member_id, version, when, facts, names))
            else:
                rows.known.append((when, facts, names, member_id))
            rows.identifiers(member_id, digests, self._digests(before))
        return rows

    def _sealed(self, entry: StoredEntry) -> Sealed:
        if isinstance(entry, SealedEntry):
            return entry.sealed  # type: ignore[return-value]  # sealed by `seal`, opaque above
        return seal(entry, self._cipher, self._index)

    def _digests(self, identifiers: tuple[PersonIdentifier, ...] | None) -> set[str]:
        digest = self._index.digest
        return {digest(_KIND[i.kind], i.value) for i in identifiers or ()}

    def _old(self, member_id: str, token: bytes) -> tuple[PersonIdentifier, ...]:
        return decode_identifiers(self._cipher.decrypt(token, aad=member_id.encode()))

    def _stored(self, member_ids: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(member_ids), LOOKUP_CHUNK):
            chunk = member_ids[start : start + LOOKUP_CHUNK]
            sql = _STORED.format(marks=", ".join([self._mark] * len(chunk)))
            rows = self._connection.exec_driver_sql(sql, tuple(chunk))
            found.update((member_id, bytes(token)) for member_id, token in rows)
        return found

    def _write(self, rows: _Rows) -> None:
        if rows.known and self._copy:
            self._replace_through_staging(rows.known)
        elif rows.known:
            self._many(_REPLACE.format(m=self._mark), rows.known)
        if rows.dropped:
            self._many(_FORGET.format(m=self._mark), rows.dropped)
        self._insert(_NEW, rows.new)
        self._insert(_IDS, rows.added)

    def _replace_through_staging(self, known: list[tuple[Any, ...]]) -> None:
        """PostgreSQL: the replaced members by COPY into a temporary table, then one UPDATE
        joined to it (one statement per member costs a round trip each)."""
        for sql in _STAGING_BEFORE:
            self._connection.exec_driver_sql(sql)
        self._insert(_STAGED, known)
        for sql in _STAGING_AFTER:
            self._connection.exec_driver_sql(sql)

    def _insert(self, into: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if not self._copy:
            marks = ", ".join([self._mark] * len(rows[0]))
            self._many(f"INSERT INTO {into} VALUES ({marks})", rows)
            return
        cursor = self._connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {into} FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_COPY_TYPES[into])
            for row in rows:
                copy.write_row(row)

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._connection.exec_driver_sql(sql, rows)
