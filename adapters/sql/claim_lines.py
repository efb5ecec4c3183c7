"""The claim history in SQL: the payable lines of claims made payable, the patient and the
prescription kept as blind indexes, read by member and date or by prescription in one query.

A claim reversed in the ledger is left out by the query itself (a reversal entry of its
source exists): whoever reverses a claim, a cancel or a correction, has nothing else to
write, and the history can never disagree with the ledger.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import Row, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from adapters.crypto import BlindIndex
from adapters.sql.bulk import insert_rows
from adapters.sql.reads import SqlReads
from adapters.sql.tables import ClaimLineRow, LedgerEntryRow
from domain.claim_history import HistoryLine
from domain.ledger import EntryKind
from domain.money import Money

LINE = ClaimLineRow.__table__
ENTRY = LedgerEntryRow.__table__
MEMBER_KIND = "member-id"  # blind index namespaces: never equal to an identifier's
PRESCRIPTION_KIND = "prescription"

# Built once (hot path): the member's lines since a day, or also those of the prescriptions.
_REVERSED = exists().where(
    ENTRY.c.source == LINE.c.source, ENTRY.c.kind == EntryKind.REVERSAL.value
)
_OF_MEMBER = and_(
    LINE.c.member_index == bindparam("member"), LINE.c.service_date >= bindparam("since")
)
_OF_PRESCRIPTIONS = LINE.c.prescription_index.in_(bindparam("prescriptions", expanding=True))
_ORDER = (LINE.c.service_date, LINE.c.source, LINE.c.sequence)
_BY_MEMBER = select(LINE).where(_OF_MEMBER, ~_REVERSED).order_by(*_ORDER)
_BY_MEMBER_OR_PRESCRIPTION = (
    select(LINE).where(or_(_OF_MEMBER, _OF_PRESCRIPTIONS), ~_REVERSED).order_by(*_ORDER)
)


class SqlClaimLines:
    """domain.authorization_ports.ClaimLineRepository over the claim_line table; it never
    commits."""

    def __init__(self, session: Session, *, index: BlindIndex) -> None:
        self._session = session
        self._index = index

    def add_many(self, lines: Sequence[HistoryLine]) -> None:
        """Record payable lines (a claim's lines once: its source and sequence are the key)."""
        if lines:
            insert_rows(self._session.connection(), LINE, [self._row(line) for line in lines])

    def history(
        self, member_id: str, since: date, prescriptions: Collection[str]
    ) -> list[HistoryLine]:
        """The member's lines served on or after `since`, and every line of these
        prescriptions whoever's and whenever, but those of claims reversed in the ledger."""
        member = self._member(member_id)
        asked = {self._index.digest(PRESCRIPTION_KIND, p): p for p in prescriptions}
        params: dict[str, object] = {"member": member, "since": since}
        statement = _BY_MEMBER
        if asked:
            statement, params["prescriptions"] = _BY_MEMBER_OR_PRESCRIPTION, list(asked)
        rows = self._session.execute(statement, params).all()
        return [
            _line(row, member_id if row.member_index == member else None, asked) for row in rows
        ]

    def _row(self, line: HistoryLine) -> dict[str, object]:
        if line.member_id is None:
            raise ValueError(f"a line of {line.source} without its patient cannot be recorded")
        return {
            "source": line.source,
            "sequence": line.sequence,
            "provider_id": line.provider_id,
            "member_index": self._member(line.member_id),
            "code": line.code,
            "category": line.category,
            "service_date": line.service_date,
            "quantity": line.quantity,
            "prescription_index": self._prescription(line.prescription_id),
            "benefit_centimes": line.benefit.centimes,
        }

    def _member(self, member_id: str) -> str:
        return self._index.digest(MEMBER_KIND, member_id)

    def _prescription(self, prescription_id: str | None) -> str | None:
        if prescription_id is None:
            return None
        return self._index.digest(PRESCRIPTION_KIND, prescription_id)


def _line(
    row: Row[tuple[object, ...]], member_id: str | None, asked: dict[str, str]
) -> HistoryLine:
    """A stored line, its patient and prescription named only when they are the ones asked."""
    stored = row._mapping
    index = stored["prescription_index"]
    return HistoryLine(
        source=stored["source"],
        sequence=stored["sequence"],
        provider_id=stored["provider_id"],
        member_id=member_id,
        code=stored["code"],
        category=stored["category"],
        service_date=stored["service_date"],
        quantity=stored["quantity"],
        prescription_id=None if index is None else asked.get(index),
        benefit=Money(int(stored["benefit_centimes"])),
    )


class SqlClaimHistoryReader:
    """domain.authorization_ports.ClaimHistoryReader: the history read in worker threads."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def lines(
        self, member_id: str, since: date, prescriptions: Collection[str]
    ) -> list[HistoryLine]:
        """The member's lines since a day and the lines of these prescriptions, in one query."""
        return await self._reads.run(
            lambda uow: uow.claim_lines.history(member_id, since, prescriptions)
        )
