"""A payer's facts for its figures (domain.services.statistics.FiguresReader): claims made
payable grouped by provider in SQL, and its prises en charge of the period, their state read
as the store keeps it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from adapters.sql.authorizations import decode
from adapters.sql.reads import SqlReads
from adapters.sql.settlement_tables import TransferClaimRow, TransferRow
from adapters.sql.tables import AuthorizationRow, ExchangeRow, LedgerEntryRow, LedgerPostingRow
from domain.ledger import EntryKind, benefits
from domain.money import Money
from domain.payment_records import TransferStatus
from domain.services.statistics import ClaimFacts, PaFact

ENTRY = LedgerEntryRow.__table__
POSTING = LedgerPostingRow.__table__
CLAIM = TransferClaimRow.__table__
TRANSFER = TransferRow.__table__
AUTHORIZATION = AuthorizationRow.__table__
EXCHANGE = ExchangeRow.__table__


class SqlFiguresQueries:
    """The statements over one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def claims(self, payer: str, start: datetime, end: datetime) -> list[ClaimFacts]:
        """Per provider (the payable account's), the claims accepted in the period."""
        payable = POSTING.alias("payable")
        undone = ENTRY.alias("undone")
        reversed_ = exists().where(
            undone.c.source == ENTRY.c.source, undone.c.kind == EntryKind.REVERSAL.value
        )
        paid = exists().where(
            CLAIM.c.claim_source == ENTRY.c.source,
            CLAIM.c.rejected.is_(False),
            TRANSFER.c.id == CLAIM.c.transfer_id,
            TRANSFER.c.status == TransferStatus.EXECUTED.value,
        )
        prefix = f"payable:{payer}:"
        rows = self._session.execute(
            select(
                payable.c.account,
                func.count(),
                func.sum(POSTING.c.amount_centimes),
                func.sum(case((paid, POSTING.c.amount_centimes), else_=0)),
            )
            .select_from(
                ENTRY.join(POSTING, POSTING.c.entry_id == ENTRY.c.id).join(
                    payable,
                    and_(payable.c.entry_id == ENTRY.c.id, payable.c.account.startswith(prefix)),
                )
            )
            .where(
                ENTRY.c.kind == EntryKind.CLAIM.value,
                ENTRY.c.at >= start,
                ENTRY.c.at < end,
                POSTING.c.account == benefits(payer),
                ~reversed_,
            )
            .group_by(payable.c.account)
        ).all()
        return [
            ClaimFacts(str(r[0])[len(prefix) :], int(r[1]), Money(int(r[2])), Money(int(r[3])))
            for r in rows
        ]

    def authorizations(self, payer: str, start: datetime, end: datetime) -> list[PaFact]:
        """The payer's prises en charge requested in the period."""
        rows = self._session.execute(
            select(AUTHORIZATION.c.tenant, AUTHORIZATION.c.status, AUTHORIZATION.c.state)
            .join(EXCHANGE, EXCHANGE.c.id == AUTHORIZATION.c.id)
            .where(
                AUTHORIZATION.c.payer == payer,
                EXCHANGE.c.created >= start,
                EXCHANGE.c.created < end,
            )
        ).all()
        found = []
        for tenant, status, state in rows:
            pa = decode(state)
            found.append(PaFact(tenant, status, pa.requested_at, pa.decided_at))
        return found


class SqlFigures:
    """domain.services.statistics.FiguresReader in the reads' worker threads."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def claims(self, payer: str, start: datetime, end: datetime) -> list[ClaimFacts]:
        """Per provider, the claims accepted in the period."""
        return await self._reads.run(lambda uow: _queries(uow).claims(payer, start, end))

    async def authorizations(self, payer: str, start: datetime, end: datetime) -> list[PaFact]:
        """The payer's prises en charge requested in the period."""
        return await self._reads.run(lambda uow: _queries(uow).authorizations(payer, start, end))


def _queries(uow: object) -> SqlFiguresQueries:
    return SqlFiguresQueries(cast(Any, uow).session)
