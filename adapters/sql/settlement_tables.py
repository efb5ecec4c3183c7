"""SQL tables of the settlement: providers' bank accounts, batches, transfers and the claims
each transfer pays. Storage shapes only (migrations 0022 and 0025 own the schema)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, text
from sqlmodel import Field, SQLModel

from adapters.sql.tables import utc_column


class BankAccountRow(SQLModel, table=True):
    """A provider's bank account as proposed, then approved by a second user; the approved
    row of latest approval is the account transfers are paid into."""

    __tablename__ = "bank_account"
    __table_args__ = (Index("ix_bank_account_provider", "provider", "status"),)

    id: str = Field(primary_key=True)
    provider: str
    rib: str
    status: str  # pending | active | superseded
    proposed_by: str
    proposed_at: datetime = utc_column()
    approved_by: str | None = None
    approved_at: datetime | None = utc_column(nullable=True, default=None)
    holder: str = Field(default="", sa_column_kwargs={"server_default": ""})  # as proposed


class SettlementBatchRow(SQLModel, table=True):
    """One settlement cycle of a payer: one credit-transfer file."""

    __tablename__ = "settlement_batch"
    __table_args__ = (Index("ix_settlement_batch_payer", "payer", "status"),)

    id: str = Field(primary_key=True)
    payer: str
    cycle: date
    status: str  # planned | posted | filed
    created: datetime = utc_column()


class TransferRow(SQLModel, table=True):
    """One credit transfer of a batch; its id is the end-to-end id of the file."""

    __tablename__ = "transfer"
    __table_args__ = (
        Index("ix_transfer_batch", "batch_id", "id"),
        Index("ix_transfer_provider", "provider", "created"),
    )

    id: str = Field(primary_key=True)
    batch_id: str = Field(foreign_key="settlement_batch.id")
    payer: str
    provider: str
    iban: str
    amount_centimes: int = Field(sa_type=BigInteger)
    status: str  # planned | sent | executed | rejected (domain.payment_records)
    created: datetime = utc_column()
    settled_at: datetime | None = utc_column(nullable=True, default=None)
    reason: str | None = None


class TransferClaimRow(SQLModel, table=True):
    """A claim a transfer pays. One live row per claim: the unique index over the rows not
    rejected refuses to pay a claim twice, whatever two settlements do at once."""

    __tablename__ = "transfer_claim"
    __table_args__ = (
        # Finding a claim's transfers (is it paid? by_source, the due claims): SQLite does not
        # use the partial index below for `rejected IS 0`, whatever the planner of PostgreSQL.
        Index("ix_transfer_claim_source", "claim_source"),
        Index(
            "ux_transfer_claim_live",
            "claim_source",
            unique=True,
            sqlite_where=text("rejected = 0"),
            postgresql_where=text("NOT rejected"),
        ),
    )

    transfer_id: str = Field(primary_key=True, foreign_key="transfer.id")
    claim_source: str = Field(primary_key=True)  # the ledger source "<provider>:<claim id>"
    amount_centimes: int = Field(sa_type=BigInteger)
    rejected: bool = False
    response_id: str = ""  # the ClaimResponse that accepted it ("" when none is stored)
    request_id: str = ""  # the Claim it pays, as the provider reads it ("" when not stored)
