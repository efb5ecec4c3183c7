"""The settlement in SQL: batches, transfers and their claims; it never commits.

Due claims are read a page at a time in (payable account, claim) order, keyset-paged, so a
cycle over a million claims holds one page and one provider's claims. Two cycles of a payer
never run at once on PostgreSQL: each transaction first takes the payer's advisory lock
(pg_advisory_xact_lock, released at commit or rollback). SQLite has one writer at a time.
Whatever the locks, the unique index over the live rows of transfer_claim refuses to pay a
claim twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, literal, or_, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.sql.settlement_tables import SettlementBatchRow, TransferClaimRow, TransferRow
from adapters.sql.tables import ExchangeRow, LedgerEntryRow, LedgerPostingRow
from adapters.sql.transfers import records
from domain.ledger import EntryKind
from domain.money import Money
from domain.payment_records import TransferRecord, TransferStatus
from domain.settlement import AlreadyPaid, Batch, BatchStatus, Payable, Transfer

ENTRY = LedgerEntryRow.__table__
POSTING = LedgerPostingRow.__table__
BATCH = SettlementBatchRow.__table__
TRANSFER = TransferRow.__table__
CLAIM = TransferClaimRow.__table__
EXCHANGE = ExchangeRow.__table__
PAGE = 1_000  # rows read per statement
TRANSFER_PAGE = 100  # transfers read per statement, each with all its claims
LOOKUP_CHUNK = 1_000  # ids per IN list: well under any driver's parameter limit
PLANNED = "planned"  # a transfer of a batch not yet filed: not yet told to anyone


def lock_key(payer: str) -> int:
    """The payer's advisory lock: a signed 64-bit number from its name."""
    return int.from_bytes(
        hashlib.sha256(f"settlement:{payer}".encode()).digest()[:8], "big", signed=True
    )


class SqlSettlementStore:
    """domain.settlement_ports.SettlementStore over one session."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"

    def lock_payer(self, payer: str) -> None:
        """The payer's advisory lock until the transaction ends (PostgreSQL)."""
        if self._postgres:
            self._session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(payer)})

    def open_batch(self, payer: str) -> Batch | None:
        """The payer's batch not yet filed."""
        row = self._session.execute(
            select(BATCH)
            .where(BATCH.c.payer == payer, BATCH.c.status != BatchStatus.FILED.value)
            .order_by(BATCH.c.created, BATCH.c.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        return Batch(row.id, row.payer, row.cycle, BatchStatus(row.status), row.created)

    def batches_on(self, payer: str, cycle: date) -> int:
        """How many batches the payer has on that date."""
        count = select(func.count()).where(BATCH.c.payer == payer, BATCH.c.cycle == cycle)
        return int(self._session.execute(count).scalar_one())

    def due(self, payer: str, cycle: date) -> Iterator[Payable]:
        """The payer's due claims in no live transfer, by (account, claim), a page at a time."""
        after: tuple[str, str] | None = None
        if self._postgres:
            # Transfers are added between pages in this transaction: each page is planned
            # with transfer_claim as it stands, never by a plan cached while it was empty.
            self._session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        while True:
            rows = self._session.execute(self._due(payer, cycle, after)).all()
            for row in rows:
                provider = row.account.removeprefix(f"payable:{payer}:")
                yield Payable(row.source, payer, provider, Money(-row.amount_centimes), row.due)
            if len(rows) < PAGE:
                return
            after = (rows[-1].account, rows[-1].entry_id)

    def due_providers(self, payer: str, cycle: date) -> int:
        """How many providers have claims due: the transfers a cycle will make, counted in
        one statement."""
        due = self._due(payer, cycle, None).limit(None).order_by(None).subquery()
        return int(self._session.execute(select(func.count(due.c.account.distinct()))).scalar_one())

    def _due(self, payer: str, cycle: date, after: tuple[str, str] | None) -> Any:
        claim, credit, undone = ENTRY.alias("c"), POSTING.alias("p"), ENTRY.alias("r")
        prefix = f"payable:{payer}:"
        live = select(CLAIM.c.claim_source).where(
            CLAIM.c.claim_source == claim.c.source, CLAIM.c.rejected.is_(False)
        )
        statement = (
            select(
                claim.c.source,
                claim.c.due,
                credit.c.account,
                credit.c.entry_id,
                credit.c.amount_centimes,
            )
            .join(credit, and_(credit.c.entry_id == claim.c.id, credit.c.amount_centimes < 0))
            .where(claim.c.kind == EntryKind.CLAIM.value)
            .where(credit.c.account >= prefix, credit.c.account < prefix[:-1] + ";")
            .where(or_(claim.c.due.is_(None), claim.c.due <= cycle))
            .where(
                ~select(undone.c.id)
                .where(undone.c.id == literal("reversal:") + claim.c.id)
                .exists()
            )
            .where(~live.exists())
            # the order of the (account, entry_id) index: a page starts where the last ended
            .order_by(credit.c.account, credit.c.entry_id)
            .limit(PAGE)
        )
        if after is not None:
            statement = statement.where(
                tuple_(credit.c.account, credit.c.entry_id) > tuple_(*after)
            )
        return statement

    def add_batch(self, batch: Batch) -> None:
        """Record a new batch."""
        self._session.execute(
            insert(BATCH),
            [{"id": batch.id, "payer": batch.payer, "cycle": batch.cycle,
              "status": batch.status.value, "created": batch.created}],
        )  # fmt: skip

    def add_transfers(self, transfers: Sequence[Transfer], at: datetime) -> None:
        """Record transfers and their claims; AlreadyPaid if a claim is in a live transfer."""
        if not transfers:
            return
        try:
            with self._session.begin_nested():
                self._session.execute(insert(TRANSFER), [_transfer_row(t, at) for t in transfers])
                exchanges = self._exchanges([c.source for t in transfers for c in t.claims])
                self._session.execute(
                    insert(CLAIM),
                    [{"transfer_id": t.id, "claim_source": c.source,
                      "amount_centimes": c.amount.centimes, "rejected": False,
                      "request_id": exchanges.get(c.source, ("", ""))[0],
                      "response_id": exchanges.get(c.source, ("", ""))[1]}
                     for t in transfers for c in t.claims],
                )  # fmt: skip
        except IntegrityError as exc:
            raise AlreadyPaid("Une de ces demandes est déjà dans un virement") from exc

    def _exchanges(self, sources: list[str]) -> dict[str, tuple[str, str]]:
        """The Claim and ClaimResponse each claim's entry was recorded with, by claim source
        (a statement per chunk: a driver takes a bounded number of parameters)."""
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(sources), LOOKUP_CHUNK):
            ids = [f"claim:{source}" for source in sources[start : start + LOOKUP_CHUNK]]
            rows = self._session.execute(
                select(ENTRY.c.source, ENTRY.c.request_id, ENTRY.c.response_id)
                .where(ENTRY.c.id.in_(ids))
            ).all()  # fmt: skip
            found.update((r.source, (r.request_id or "", r.response_id or "")) for r in rows)
        return found

    def totals(self, batch: str) -> tuple[int, Money]:
        """A batch's number of transfers and their sum, in one statement."""
        count, centimes = self._session.execute(
            select(func.count(), func.coalesce(func.sum(TRANSFER.c.amount_centimes), 0))
            .where(TRANSFER.c.batch_id == batch)
        ).one()  # fmt: skip
        return int(count), Money(int(centimes))

    def transfers(self, batch: str) -> Iterator[Transfer]:
        """A batch's transfers in id order, a page at a time."""
        after = ""
        while True:
            rows = self._session.execute(
                select(TRANSFER).where(TRANSFER.c.batch_id == batch, TRANSFER.c.id > after)
                .order_by(TRANSFER.c.id).limit(TRANSFER_PAGE)
            ).all()  # fmt: skip
            claims = self.claims_of([r.id for r in rows])
            for row in rows:
                yield Transfer(row.id, row.batch_id, row.payer, row.provider, row.iban,
                               tuple(claims.get(row.id, ())))  # fmt: skip
            if len(rows) < TRANSFER_PAGE:
                return
            after = rows[-1].id

    def claims_of(self, transfer_ids: list[str]) -> dict[str, list[Payable]]:
        """The claims each of these transfers pays, in claim order."""
        found: dict[str, list[Payable]] = {}
        if not transfer_ids:
            return found
        rows = self._session.execute(
            select(CLAIM, TRANSFER.c.payer, TRANSFER.c.provider)
            .join(TRANSFER, TRANSFER.c.id == CLAIM.c.transfer_id)
            .where(CLAIM.c.transfer_id.in_(transfer_ids))
            .order_by(CLAIM.c.transfer_id, CLAIM.c.claim_source)
        ).all()
        for r in rows:
            payable = Payable(r.claim_source, r.payer, r.provider, Money(r.amount_centimes), None)
            found.setdefault(r.transfer_id, []).append(payable)
        return found

    def set_status(self, batch: str, status: BatchStatus) -> None:
        """Move a batch on; once filed, its transfers are sent."""
        self._session.execute(update(BATCH).where(BATCH.c.id == batch).values(status=status.value))
        if status is BatchStatus.FILED:
            self._session.execute(
                update(TRANSFER)
                .where(TRANSFER.c.batch_id == batch, TRANSFER.c.status == PLANNED)
                .values(status=TransferStatus.SENT.value)
            )

    def transfer(self, transfer_id: str) -> TransferRecord | None:
        """One transfer once sent (a planned one is nobody's business yet)."""
        row = self._session.execute(select(TRANSFER).where(TRANSFER.c.id == transfer_id)).first()
        if row is None or row.status == PLANNED:
            return None
        return records(self._session, [row])[0]

    def settle(
        self, transfer_id: str, status: TransferStatus, at: datetime, reason: str | None
    ) -> None:
        """The bank's answer; a rejected transfer's claims leave the live rows."""
        self._session.execute(
            update(TRANSFER).where(TRANSFER.c.id == transfer_id)
            .values(status=status.value, settled_at=at, reason=reason)
        )  # fmt: skip
        if status is TransferStatus.REJECTED:
            self._session.execute(
                update(CLAIM).where(CLAIM.c.transfer_id == transfer_id).values(rejected=True)
            )


def _transfer_row(t: Transfer, at: datetime) -> dict[str, Any]:
    return {"id": t.id, "batch_id": t.batch, "payer": t.payer, "provider": t.provider,
            "iban": t.iban, "amount_centimes": t.amount.centimes, "status": PLANNED,
            "created": at, "settled_at": None, "reason": None}  # fmt: skip
