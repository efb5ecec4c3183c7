"""SQL tables of the gateway's state. Storage shapes only: never domain nor API objects.

The schema itself is owned by the Alembic migrations; these classes must match them
(tests/integration/test_migrations.py compares both).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Index, LargeBinary, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant stored in UTC; SQLite gets naive UTC text, read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to UTC; refuse naive values, which would be read back shifted."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime whatever the backend gave."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_column(*, nullable: bool = False, **kwargs: Any) -> Any:
    """A UtcDateTime field (SQLModel would map datetime to a naive DateTime)."""
    return Field(sa_type=UtcDateTime, nullable=nullable, **kwargs)


class ProviderRow(SQLModel, table=True):
    """A registered provider organization and its OAuth client."""

    __tablename__ = "provider"

    id: str = Field(primary_key=True)
    inpe: str = Field(unique=True)
    name: str
    category: str
    payers: str  # comma-separated payer codes, in the order given
    client_id: str = Field(unique=True)
    jwks: str = Field(sa_type=Text)
    active: bool = True
    created_at: datetime = utc_column()


class MemberRow(SQLModel, table=True):
    """A registry member: eligibility facts in clear JSON, names and identifiers encrypted."""

    __tablename__ = "member"
    __table_args__ = (Index("ix_member_updated_at", "updated_at"),)

    member_id: str = Field(primary_key=True)
    version: int
    updated_at: datetime = utc_column()
    facts: str = Field(sa_type=Text)  # JSON: birth_date, affiliations, ald, dependant
    names_enc: bytes = Field(sa_type=LargeBinary)  # FieldCipher token of names, sex, identifiers


class MemberIdentifierRow(SQLModel, table=True):
    """The blind index of one (kind, value) identifier of a member."""

    __tablename__ = "member_identifier"
    __table_args__ = (Index("ix_member_identifier_member_id", "member_id"),)

    index: str = Field(primary_key=True)
    member_id: str = Field(primary_key=True, foreign_key="member.member_id", ondelete="CASCADE")


class ExchangeRow(SQLModel, table=True):
    """One stored exchange; bodies and patient references are encrypted."""

    __tablename__ = "exchange"
    __table_args__ = (
        Index("ix_exchange_tenant_kind_created", "tenant", "kind", "created"),
        Index("ix_exchange_tenant_kind_request", "tenant", "kind", "request_id"),
    )

    id: str = Field(primary_key=True)
    kind: str
    tenant: str
    created: datetime = utc_column()
    request_id: str
    status: str
    patient_ref_index: str | None = Field(default=None, index=True)
    key_id: str  # the key new tokens of this row were written with: finds rows to re-encrypt
    request_enc: bytes = Field(sa_type=LargeBinary)
    response_enc: bytes = Field(sa_type=LargeBinary)
    patient_enc: bytes | None = Field(default=None, sa_type=LargeBinary)  # ref + identifiers


class ExchangePatientRow(SQLModel, table=True):
    """The blind index of one patient identifier an exchange was about."""

    __tablename__ = "exchange_patient"
    __table_args__ = (Index("ix_exchange_patient_exchange_id", "exchange_id"),)

    index: str = Field(primary_key=True)
    exchange_id: str = Field(primary_key=True, foreign_key="exchange.id", ondelete="CASCADE")


class AuditEventRow(SQLModel, table=True):
    """One audit entry, chained to the previous entry of its stream by hash."""

    __tablename__ = "audit_event"

    stream: str = Field(primary_key=True)
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = utc_column()
    tenant: str | None = None
    client_id: str | None = None
    action: str
    resource: str | None = None
    outcome: int
    detail: str = Field(sa_type=Text)
    prev_hash: str
    hash: str


class AuditHeadRow(SQLModel, table=True):
    """The last (seq, hash) of each audit stream; its row lock serialises appends."""

    __tablename__ = "audit_head"

    stream: str = Field(primary_key=True)
    seq: int
    hash: str


class UsedJtiRow(SQLModel, table=True):
    """A client assertion id already used, kept until the assertion expires."""

    __tablename__ = "used_jti"

    client_id: str = Field(primary_key=True)
    jti: str = Field(primary_key=True)
    expires_at: datetime = utc_column(index=True)


class IdempotencyKeyRow(SQLModel, table=True):
    """The answer given to a POST carrying an Idempotency-Key, to replay it on retry."""

    __tablename__ = "idempotency_key"

    tenant: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    request_hash: str
    status: int
    body: bytes = Field(sa_type=LargeBinary)
    response_id: str = Field(default="", sa_column_kwargs={"server_default": ""})
    request_id: str = Field(default="", sa_column_kwargs={"server_default": ""})
    created_at: datetime = utc_column(index=True)
