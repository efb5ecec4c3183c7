"""SQL tables of the extranet's people: staff accounts and their sessions. Storage shapes
only (migration 0024 owns the schema)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from adapters.sql.tables import utc_column


class StaffUserRow(SQLModel, table=True):
    """A person's account in the extranet, for a provider (its tenant) or a payer."""

    __tablename__ = "staff_user"

    id: str = Field(primary_key=True)
    org: str = Field(index=True)  # provider id or payer code
    side: str  # provider | payer
    email: str = Field(unique=True, index=True)  # normalised: trimmed, lower case
    role: str
    password_hash: str  # argon2id, encoded with its salt and parameters
    key_id: str | None = None  # the key the TOTP secret was encrypted with
    totp_enc: bytes | None = Field(default=None, sa_type=LargeBinary)  # FieldCipher token
    active: bool = True
    created_at: datetime = utc_column()
    locked_until: datetime | None = utc_column(nullable=True)  # too many failed sign-ins


class StaffSessionRow(SQLModel, table=True):
    """A signed-in session, under the SHA-256 of the random id its cookie carries."""

    __tablename__ = "staff_session"

    key: str = Field(primary_key=True)
    user_id: str = Field(index=True)  # "sign out everywhere" deletes by person
    org: str
    side: str
    role: str
    email: str
    created_at: datetime = utc_column()
    expires_at: datetime = utc_column()
