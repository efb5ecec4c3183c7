"""The ledger in SQL: entries and their postings, an entry's id recorded once."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.sql.bulk import insert_rows
from adapters.sql.reads import SqlReads
from adapters.sql.settlement_tables import TransferClaimRow, TransferRow
from adapters.sql.tables import LedgerEntryRow, LedgerPostingRow
from domain.ledger import AlreadyRecorded, Entry, EntryKind, Posting, payment
from domain.money import Money

ENTRY = LedgerEntryRow.__table__
POSTING = LedgerPostingRow.__table__
TRANSFER = TransferRow.__table__
TRANSFER_CLAIM = TransferClaimRow.__table__
# Built once: composing a statement costs more than running it on SQLite (every group commit
# checks its entries' ids; a claim citing a prise en charge reads its entries first).
_RECORDED = select(ENTRY.c.id).where(ENTRY.c.id.in_(bindparam("ids", expanding=True)))
_BY_SOURCE = (
    select(ENTRY).where(ENTRY.c.source == bindparam("source")).order_by(ENTRY.c.at, ENTRY.c.id)
)
_IN_TRANSFER = (
    select(TRANSFER.c.id, TRANSFER.c.payer, TRANSFER.c.provider, TRANSFER.c.created,
           TRANSFER_CLAIM.c.amount_centimes)
    .join(TRANSFER_CLAIM, TRANSFER_CLAIM.c.transfer_id == TRANSFER.c.id)
    .where(TRANSFER_CLAIM.c.claim_source == bindparam("source"),
           TRANSFER_CLAIM.c.rejected.is_(False))
)  # fmt: skip


class SqlLedger:
    """domain.authorization_ports.Ledger over the ledger_entry and ledger_posting tables; it
    never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, entries: Sequence[Entry]) -> None:
        """Record entries; AlreadyRecorded (and nothing of them) if one was recorded before."""
        if not entries:
            return
        try:
            with self._session.begin_nested():  # a twin undoes these inserts only
                self.insert_many(entries)
        except IntegrityError as exc:
            ids = ", ".join(e.id for e in entries)
            raise AlreadyRecorded(f"Déjà comptabilisé : {ids}") from exc

    def insert_many(self, entries: Sequence[Entry]) -> None:
        """Record entries in two statements; an id recorded before raises IntegrityError,
        for the caller to undo its savepoint."""
        if not entries:
            return
        connection = self._session.connection()
        insert_rows(
            connection,
            ENTRY,
            [{"id": e.id, "kind": e.kind.value, "at": e.at, "source": e.source, "due": e.due,
              "request_id": e.request, "response_id": e.response}
             for e in entries],
        )  # fmt: skip
        insert_rows(
            connection,
            POSTING,
            [
                {"entry_id": e.id, "position": i, "account": p.account,
                 "amount_centimes": p.amount.centimes}
                for e in entries
                for i, p in enumerate(e.postings)
            ],
        )  # fmt: skip

    def recorded(self, ids: Collection[str]) -> set[str]:
        """Which of these entry ids are recorded, in one query."""
        if not ids:
            return set()
        return set(self._session.execute(_RECORDED, {"ids": list(ids)}).scalars())

    def by_source(self, source: str) -> list[Entry]:
        """The entries recording a claim, and the payment of the live transfer paying it
        (posted or about to be: a claim in a transfer is settled, never cancelled)."""
        rows = self._session.execute(_BY_SOURCE, {"source": source}).all()
        entries = [self._entry(row) for row in rows]
        known = {e.id for e in entries}
        return entries + [p for p in self._in_transfer(source) if p.id not in known]

    def _in_transfer(self, source: str) -> list[Entry]:
        rows = self._session.execute(_IN_TRANSFER, {"source": source}).all()
        return [
            payment(r.id, payer=r.payer, provider=r.provider, claims=(source,),
                    amount=Money(r.amount_centimes), at=r.created)
            for r in rows
        ]  # fmt: skip

    def balance(self, account: str) -> Money:
        """What an account holds: debits less credits."""
        total = self._session.execute(
            select(func.coalesce(func.sum(POSTING.c.amount_centimes), 0)).where(
                POSTING.c.account == account
            )
        ).scalar_one()
        return Money(int(total))

    def _entry(self, row: object) -> Entry:
        postings = self._session.execute(
            select(POSTING.c.account, POSTING.c.amount_centimes)
            .where(POSTING.c.entry_id == row.id)  # type: ignore[attr-defined]
            .order_by(POSTING.c.position)
        ).all()
        return Entry(
            row.id,  # type: ignore[attr-defined]
            EntryKind(row.kind),  # type: ignore[attr-defined]
            row.at,  # type: ignore[attr-defined]
            tuple(Posting(p.account, Money(p.amount_centimes)) for p in postings),
            row.source,  # type: ignore[attr-defined]
            row.due,  # type: ignore[attr-defined]
            row.request_id,  # type: ignore[attr-defined]
            row.response_id,  # type: ignore[attr-defined]
        )


class SqlLedgerReader:
    """domain.authorization_ports.LedgerReader: the ledger read in worker threads."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def by_source(self, source: str) -> list[Entry]:
        """The entries recording a claim."""
        return await self._reads.run(lambda uow: uow.ledger.by_source(source))
