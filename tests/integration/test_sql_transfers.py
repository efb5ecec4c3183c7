"""The settlement's tables read as providers are told of them: the contract every
TransferReader keeps (tests/transfer_reader_contract.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from adapters.sql.reads import SqlReads
from adapters.sql.settlement_tables import SettlementBatchRow, TransferClaimRow, TransferRow
from adapters.sql.transfers import SqlTransferReader
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.payment_records import TransferRecord, TransferStatus
from tests.transfer_reader_contract import CONTRACT_TRANSFERS, TransferReaderContract


def put(uow_factory: SqlUnitOfWorkFactory, records: tuple[TransferRecord, ...]) -> None:
    """Write transfers as the settlement leaves them. The contract's transfers pay the same
    claims more than once, which the store refuses among live transfers: all but a claim's
    first live row are written as rejected rows, which nothing read here shows."""
    live: set[str] = set()
    with uow_factory() as uow:
        for cycle in sorted({r.cycle for r in records}):
            first = next(r for r in records if r.cycle == cycle)
            uow.session.execute(insert(SettlementBatchRow.__table__), [
                {"id": cycle, "payer": first.payer, "cycle": first.created.date(),
                 "status": "filed", "created": first.created}])  # fmt: skip
        for r in records:
            uow.session.execute(insert(TransferRow.__table__), [
                {"id": r.id, "batch_id": r.cycle, "payer": r.payer, "provider": r.provider,
                 "iban": "MA64011519000001205000534921", "amount_centimes": r.amount.centimes,
                 "status": r.status.value, "created": r.created, "settled_at": r.settled_at,
                 "reason": r.reason}])  # fmt: skip
            for c in r.claims:
                source = f"{r.provider}:{c.identifier}"
                returned = r.status is TransferStatus.REJECTED or source in live
                live |= set() if returned else {source}
                uow.session.execute(insert(TransferClaimRow.__table__), [
                    {"transfer_id": r.id, "claim_source": source, "response_id": c.response_id,
                     "request_id": c.claim_id, "amount_centimes": c.amount.centimes,
                     "rejected": returned}])  # fmt: skip
        uow.commit()


class TestSqlTransfers(TransferReaderContract):
    @pytest.fixture
    def reader(self, uow_factory: SqlUnitOfWorkFactory) -> SqlTransferReader:
        put(uow_factory, CONTRACT_TRANSFERS)
        return SqlTransferReader(SqlReads(uow_factory, threads=2, deadline=20.0))
