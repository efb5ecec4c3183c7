"""Transfers read back: as providers are told of them (domain.transfer_ports.TransferReader,
for PaymentReconciliation and PaymentNotice), and the ledger's entries of a payer, for the
invariants checked after each cycle. Planned transfers (their batch not yet filed) are
nobody's business yet and are never read here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Select, and_, or_, select, tuple_
from sqlalchemy.orm import Session

from adapters.sql.reads import SqlReads
from adapters.sql.settlement_tables import TransferClaimRow, TransferRow
from adapters.sql.tables import LedgerEntryRow, LedgerPostingRow
from domain.ledger import Entry, EntryKind, Posting
from domain.money import Money
from domain.payment_records import PaidClaim, TransferRecord, TransferStatus
from domain.transfer_ports import TransferPage, TransferQuery, position

TRANSFER = TransferRow.__table__
CLAIM = TransferClaimRow.__table__
ENTRY = LedgerEntryRow.__table__
POSTING = LedgerPostingRow.__table__
PLANNED = "planned"
PAGE = 1_000


def records(session: Session, rows: Sequence[Any]) -> list[TransferRecord]:
    """Transfer rows as records, each with the claims it pays, in one more statement."""
    paid: dict[str, list[PaidClaim]] = {}
    if rows:
        for c in session.execute(
            select(CLAIM, TRANSFER.c.provider)
            .join(TRANSFER, TRANSFER.c.id == CLAIM.c.transfer_id)
            .where(CLAIM.c.transfer_id.in_([r.id for r in rows]))
            .order_by(CLAIM.c.transfer_id, CLAIM.c.claim_source)
        ):
            business = c.claim_source.removeprefix(f"{c.provider}:")
            claim = PaidClaim(c.request_id, c.response_id, Money(c.amount_centimes), business)
            paid.setdefault(c.transfer_id, []).append(claim)
    return [_record(r, tuple(paid.get(r.id, ()))) for r in rows]


def _record(r: Any, paid: tuple[PaidClaim, ...]) -> TransferRecord:
    return TransferRecord(
        r.id, r.payer, r.provider, r.batch_id, Money(r.amount_centimes),
        TransferStatus(r.status), r.created, paid, r.settled_at, r.reason,
    )  # fmt: skip


class SqlTransferQueries:
    """The reader's statements over one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, provider: str, transfer_id: str) -> TransferRecord | None:
        """The provider's transfer with that id."""
        row = self._session.execute(
            select(TRANSFER).where(
                TRANSFER.c.id == transfer_id,
                TRANSFER.c.provider == provider,
                TRANSFER.c.status != PLANNED,
            )
        ).first()
        return None if row is None else records(self._session, [row])[0]

    def search(self, query: TransferQuery) -> TransferPage:
        """One page of the provider's transfers, newest first; one row more tells whether
        another page follows."""
        rows = self._session.execute(_selected(query).limit(query.limit + 1)).all()
        shown = records(self._session, rows[: query.limit])
        more = len(rows) > query.limit and shown
        return TransferPage(tuple(shown), position(shown[-1]) if more else None)


def _selected(query: TransferQuery) -> Select[Any]:
    t = TRANSFER.c
    statement = (
        select(TRANSFER)
        .where(t.provider == query.provider, t.status != PLANNED)
        .order_by(t.created.desc(), t.id.desc())
    )
    bounds = [
        (query.payer, lambda v: t.payer == v),
        (query.created_from, lambda v: t.created >= v),
        (query.created_to, lambda v: t.created < v),
        (query.settled_from, lambda v: t.settled_at >= v),
        (query.settled_to, lambda v: t.settled_at < v),
    ]
    for value, test in bounds:
        if value is not None:
            statement = statement.where(test(value))
    if query.statuses:
        statement = statement.where(t.status.in_([s.value for s in query.statuses]))
    if query.after is not None:
        at, after_id = query.after
        statement = statement.where(or_(t.created < at, and_(t.created == at, t.id < after_id)))
    return statement


class SqlTransferReader:
    """domain.transfer_ports.TransferReader over the settlement's tables, in worker threads."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def get(self, provider: str, transfer_id: str) -> TransferRecord | None:
        """The transfer with that id, if it is the provider's."""
        return await self._reads.run(lambda uow: _queries(uow).get(provider, transfer_id))

    async def search(self, query: TransferQuery) -> TransferPage:
        """One page of the provider's transfers the query selects, newest first."""
        return await self._reads.run(lambda uow: _queries(uow).search(query))


def _queries(uow: object) -> SqlTransferQueries:
    return SqlTransferQueries(cast(Any, uow).session)  # the SQL unit of work's session


def ledger_entries(session: Session, payer: str) -> Iterator[Entry]:
    """Every entry on a payer's payable accounts, by id, a page at a time: the entries are
    walked in key order and each kept if it has a posting there (its postings are found by
    their key), so a page costs its own rows, never a scan of the payer's postings."""
    prefix = f"payable:{payer}:"
    on_account = (
        select(POSTING.c.entry_id)
        .where(POSTING.c.entry_id == ENTRY.c.id)
        .where(POSTING.c.account >= prefix, POSTING.c.account < prefix[:-1] + ";")
    )
    after = ""
    while True:
        ids = list(session.execute(
            select(ENTRY.c.id).where(ENTRY.c.id > after, on_account.exists())
            .order_by(ENTRY.c.id).limit(PAGE)
        ).scalars())  # fmt: skip
        if ids:
            yield from _entries(session, ids)
        if len(ids) < PAGE:
            return
        after = ids[-1]


def entries_by_account(session: Session, payer: str) -> Iterator[tuple[str, list[Entry]]]:
    """Each of a payer's payable accounts with its entries, account after account: one
    provider's entries held at a time, read a page at a time along (account, entry), each
    page in one statement (the account's postings, their entries and all their postings)."""
    prefix = f"payable:{payer}:"
    after: tuple[str, str] = (prefix, "")
    account, group = "", []
    while True:
        page = _page(session, prefix, after)
        for row_account, entry in page:
            if row_account != account and group:
                yield account, group
                group = []
            account = row_account
            group.append(entry)
        if len(page) < PAGE:
            break
        after = (page[-1][0], page[-1][1].id)
    if group:
        yield account, group


def _page(session: Session, prefix: str, after: tuple[str, str]) -> list[tuple[str, Entry]]:
    """Up to PAGE (account, entry) pairs after `after`, with every posting of each entry."""
    mine, every = POSTING.alias("mine"), POSTING.alias("every")
    keys = (
        select(mine.c.account, mine.c.entry_id)
        .where(mine.c.account < prefix[:-1] + ";")
        .where(tuple_(mine.c.account, mine.c.entry_id) > tuple_(*after))
        .order_by(mine.c.account, mine.c.entry_id)
        .limit(PAGE)
        .subquery()
    )
    rows = session.execute(
        select(keys.c.account.label("key_account"), ENTRY, every.c.account,
               every.c.amount_centimes)
        .join(ENTRY, ENTRY.c.id == keys.c.entry_id)
        .join(every, every.c.entry_id == keys.c.entry_id)
        .order_by(keys.c.account, keys.c.entry_id, every.c.position)
    ).all()  # fmt: skip
    page: list[tuple[str, Entry]] = []
    postings: list[Posting] = []
    for i, row in enumerate(rows):
        postings.append(Posting(row.account, Money(row.amount_centimes)))
        last = i + 1 == len(rows) or (rows[i + 1].key_account, rows[i + 1].id) != (
            row.key_account, row.id,
        )  # fmt: skip
        if last:
            entry = Entry(row.id, EntryKind(row.kind), row.at, tuple(postings), row.source,
                          row.due, row.request_id, row.response_id)  # fmt: skip
            page.append((row.key_account, entry))
            postings = []
    return page


def _entries(session: Session, ids: list[str]) -> Iterator[Entry]:
    rows = session.execute(select(ENTRY).where(ENTRY.c.id.in_(ids)).order_by(ENTRY.c.id)).all()
    postings: dict[str, list[Posting]] = {}
    for p in session.execute(
        select(POSTING).where(POSTING.c.entry_id.in_(ids)).order_by(POSTING.c.position)
    ):
        postings.setdefault(p.entry_id, []).append(Posting(p.account, Money(p.amount_centimes)))
    for row in rows:
        yield Entry(
            row.id,
            EntryKind(row.kind),
            row.at,
            tuple(postings[row.id]),
            row.source,
            row.due,
            row.request_id,
            row.response_id,
        )
