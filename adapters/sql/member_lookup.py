"""The member lookup of a cold eligibility check: one statement, no thread hop.

`SqlMemberDirectory` reads through a worker thread and SQLAlchemy's session, in two queries
(the members an identifier names, then the insureds their affiliations go through): most of
the time of a cold check. Here one statement finds both, run where the driver allows it
without leaving the event loop:

- SQLite: the read-only connection of the event loop's own (adapters/sql/direct_reads.py). A
  WAL reader never waits for the writer, and an indexed lookup takes tens of microseconds,
  less than the hop it saves. A statement past the deadline is `Unavailable`; a locked or
  failing database falls back to the threaded directory, which waits and answers
  `Unavailable` as it always did.
- PostgreSQL: psycopg's async connections from a pool of their own (adapters/sql/
  direct_reads.py), the statement prepared by the server after its first uses, given up
  after the deadline.

Only the facts eligibility needs are read; the encrypted names are not touched. The answer
is exactly the threaded directory's (tests/integration/test_member_lookup.py checks both).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from adapters.crypto import BlindIndex
from adapters.sql.direct_reads import PostgresDirect, SqliteDirect
from adapters.sql.member_codec import decode_member
from adapters.sql.members import identifier_index, insured_ids, insureds_of
from domain.members import EligibilityFacts, PersonIdentifier
from domain.ports import MemberDirectory

# The members the identifiers name (tagged with the index that found them), then every
# insured their affiliations go through (tagged NULL).
_SQLITE = """
WITH found AS (
    SELECT i."index" AS via, m.member_id, m.version, m.facts
    FROM member_identifier i JOIN member m ON m.member_id = i.member_id
    WHERE i."index" IN ({marks})
)
SELECT via, member_id, version, facts FROM found
UNION ALL
SELECT NULL, m.member_id, m.version, m.facts FROM member m
WHERE m.member_id IN (
    SELECT json_extract(a.value, '$.insured_id')
    FROM found, json_each(found.facts, '$.affiliations') AS a
)
"""
_POSTGRES = """
WITH found AS (
    SELECT i."index" AS via, m.member_id, m.version, m.facts
    FROM member_identifier i JOIN member m ON m.member_id = i.member_id
    WHERE i."index" = ANY(%(indexes)s)
)
SELECT via, member_id, version, facts FROM found
UNION ALL
SELECT NULL, m.member_id, m.version, m.facts FROM member m
WHERE m.member_id IN (
    SELECT a ->> 'insured_id'
    FROM found, jsonb_array_elements(found.facts::jsonb -> 'affiliations') AS a
)
"""


def facts_of(
    rows: Iterable[tuple[str | None, str, int, str]], indexes: Sequence[str]
) -> list[EligibilityFacts]:
    """The members of the first index that found any, in member-id order, each with the
    insureds it depends on: what `SqlMemberDirectory.find` answers."""
    found: dict[str, list[tuple[str, int, str]]] = {}
    insureds: dict[str, tuple[str, int, str]] = {}
    for via, member_id, version, facts in rows:
        if via is None:
            insureds[member_id] = (member_id, version, facts)
        else:
            found.setdefault(via, []).append((member_id, version, facts))
    chosen = next((found[index] for index in indexes if index in found), [])
    members = [decode_member(*row) for row in sorted(chosen)]
    wanted = insured_ids(members)
    loaded = {member_id: decode_member(*insureds[member_id])
              for member_id in sorted(wanted) if member_id in insureds}  # fmt: skip
    return [EligibilityFacts(member, insureds_of(member, loaded)) for member in members]


class SqliteMemberLookup:
    """domain.ports.MemberDirectory on the event loop's SQLite connection."""

    def __init__(
        self, direct: SqliteDirect, *, index: BlindIndex, fallback: MemberDirectory
    ) -> None:
        self._direct, self._index, self._fallback = direct, index, fallback
        self._statements: dict[int, str] = {}

    async def find(self, identifiers: Sequence[PersonIdentifier]) -> list[EligibilityFacts]:
        """The records of the first identifier that finds any, in one statement."""
        indexes = [identifier_index(self._index, identifier) for identifier in identifiers]
        if not indexes:
            return []
        rows = self._direct.rows(self._statement(len(indexes)), indexes)
        if rows is None:
            return await self._fallback.find(identifiers)  # locked, or gone: the careful way
        return facts_of(rows, indexes)

    def _statement(self, count: int) -> str:
        found = self._statements.get(count)
        if found is None:
            found = self._statements[count] = _SQLITE.format(marks=", ".join("?" * count))
        return found


class PostgresMemberLookup:
    """domain.ports.MemberDirectory on PostgreSQL, over the async connections of a
    PostgresDirect."""

    def __init__(self, direct: PostgresDirect, *, index: BlindIndex) -> None:
        self._direct, self._index = direct, index

    async def find(self, identifiers: Sequence[PersonIdentifier]) -> list[EligibilityFacts]:
        """The records of the first identifier that finds any, in one round trip."""
        indexes = [identifier_index(self._index, identifier) for identifier in identifiers]
        if not indexes:
            return []
        return facts_of(await self._direct.rows(_POSTGRES, {"indexes": indexes}), indexes)
