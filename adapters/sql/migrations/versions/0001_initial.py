"""Initial schema: providers, members, exchanges, audit, replay, idempotency, reference.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TEXT_ID = sa.String()
INSTANT = sa.DateTime(timezone=True)


def _required(name: str, type_: sa.types.TypeEngine = TEXT_ID) -> sa.Column:
    return sa.Column(name, type_, nullable=False)


def _optional(name: str, type_: sa.types.TypeEngine = TEXT_ID) -> sa.Column:
    return sa.Column(name, type_, nullable=True)


def upgrade() -> None:
    """Create every table of the gateway."""
    _provider_table()
    _member_tables()
    _exchange_tables()
    _audit_tables()
    _security_tables()
    _reference_tables()
    _reference_tables_continued()


def _provider_table() -> None:
    op.create_table(
        "provider",
        _required("id"),
        _required("inpe"),
        _required("name"),
        _required("category"),
        _required("payers"),
        _required("client_id"),
        _required("jwks", sa.Text()),
        _required("active", sa.Boolean()),
        _required("created_at", INSTANT),
        sa.PrimaryKeyConstraint("id", name="pk_provider"),
        sa.UniqueConstraint("inpe", name="uq_provider_inpe"),
        sa.UniqueConstraint("client_id", name="uq_provider_client_id"),
    )


def _member_tables() -> None:
    op.create_table(
        "member",
        _required("member_id"),
        _required("version", sa.Integer()),
        _required("updated_at", INSTANT),
        _required("facts", sa.Text()),
        _required("names_enc", sa.LargeBinary()),
        sa.PrimaryKeyConstraint("member_id", name="pk_member"),
    )
    op.create_table(
        "member_identifier",
        _required("index"),
        _required("member_id"),
        sa.PrimaryKeyConstraint("index", "member_id", name="pk_member_identifier"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.member_id"],
            name="fk_member_identifier_member",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_member_identifier_member_id", "member_identifier", ["member_id"])


def _exchange_tables() -> None:
    op.create_table(
        "exchange",
        _required("id"),
        _required("kind"),
        _required("tenant"),
        _required("created", INSTANT),
        _required("request_id"),
        _required("status"),
        _optional("patient_ref_index"),
        _required("key_id"),
        _required("request_enc", sa.LargeBinary()),
        _required("response_enc", sa.LargeBinary()),
        _optional("patient_enc", sa.LargeBinary()),
        sa.PrimaryKeyConstraint("id", name="pk_exchange"),
    )
    op.create_index("ix_exchange_tenant_kind_created", "exchange", ["tenant", "kind", "created"])
    op.create_index("ix_exchange_tenant_kind_request", "exchange", ["tenant", "kind", "request_id"])
    op.create_index("ix_exchange_patient_ref_index", "exchange", ["patient_ref_index"])
    op.create_table(
        "exchange_patient",
        _required("index"),
        _required("exchange_id"),
        sa.PrimaryKeyConstraint("index", "exchange_id", name="pk_exchange_patient"),
        sa.ForeignKeyConstraint(
            ["exchange_id"],
            ["exchange.id"],
            name="fk_exchange_patient_exchange",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_exchange_patient_exchange_id", "exchange_patient", ["exchange_id"])


def _audit_tables() -> None:
    op.create_table(
        "audit_event",
        _required("stream"),
        _required("seq", sa.Integer()),
        _required("at", INSTANT),
        _optional("tenant"),
        _optional("client_id"),
        _required("action"),
        _optional("resource"),
        _required("outcome", sa.Integer()),
        _required("detail", sa.Text()),
        _required("prev_hash"),
        _required("hash"),
        sa.PrimaryKeyConstraint("stream", "seq", name="pk_audit_event"),
    )
    op.create_table(
        "audit_head",
        _required("stream"),
        _required("seq", sa.Integer()),
        _required("hash"),
        sa.PrimaryKeyConstraint("stream", name="pk_audit_head"),
    )


def _security_tables() -> None:
    op.create_table(
        "used_jti",
        _required("client_id"),
        _required("jti"),
        _required("expires_at", INSTANT),
        sa.PrimaryKeyConstraint("client_id", "jti", name="pk_used_jti"),
    )
    op.create_index("ix_used_jti_expires_at", "used_jti", ["expires_at"])
    op.create_table(
        "idempotency_key",
        _required("tenant"),
        _required("key"),
        _required("request_hash"),
        _required("status", sa.Integer()),
        _required("body", sa.LargeBinary()),
        _required("created_at", INSTANT),
        sa.PrimaryKeyConstraint("tenant", "key", name="pk_idempotency_key"),
    )
    op.create_index("ix_idempotency_key_created_at", "idempotency_key", ["created_at"])


def _reference_tables() -> None:
    op.create_table(
        "ref_dataset",
        _required("version"),
        _required("loaded_at", INSTANT),
        _required("current", sa.Boolean()),
        sa.PrimaryKeyConstraint("version", name="pk_ref_dataset"),
    )
    _ref_table("ref_scheme", _required("code"), _required("label"))
    _ref_table("ref_payer", _required("code"), _required("label"))
    _ref_table("ref_payer_route", _required("scheme"), _required("payer"))
    _ref_table(
        "ref_rate",
        _required("scheme"),
        _required("category"),
        _required("situation"),
        _required("rate"),  # Decimal as text: exact on every backend
        _required("base"),
    )
    _ref_table("ref_ald", _required("code"), _required("label"), _required("kind"))
    _ref_table(
        "ref_dependant_rule",
        _required("scheme"),
        _required("role"),
        _optional("max_age", sa.Integer()),
        _optional("student_max_age", sa.Integer()),
        _required("disabled_unlimited", sa.Boolean()),
    )


def _reference_tables_continued() -> None:
    _ref_table(
        "ref_eligibility_param",
        _required("scheme"),
        _required("name"),
        _required("value", sa.Integer()),
    )
    _ref_table(
        "ref_prior_auth",
        _required("scheme"),
        _required("category"),
        _required("code"),
        _required("reason", sa.Text()),
    )
    _ref_table(
        "ref_identifier_format",
        _required("kind"),
        _required("pattern", sa.Text()),
        _required("label"),
        _required("hint"),
    )
    _ref_table("ref_care_category", _required("code"), _required("label"))
    _ref_table("ref_category", _required("code"), dated=False)


def _ref_table(name: str, *columns: sa.Column, dated: bool = True) -> None:
    dating = (
        [
            _required("valid_from", sa.Date()),
            _optional("valid_to", sa.Date()),
            _required("source", sa.Text()),
            _required("confidence"),
        ]
        if dated
        else []
    )
    op.create_table(
        name,
        _required("dataset_version"),
        sa.Column("position", sa.Integer(), nullable=False, autoincrement=False),
        *dating,
        *columns,
        sa.PrimaryKeyConstraint("dataset_version", "position", name=f"pk_{name}"),
        sa.ForeignKeyConstraint(
            ["dataset_version"],
            ["ref_dataset.version"],
            name=f"fk_{name}_dataset",
            ondelete="CASCADE",
        ),
    )


_TABLES = (
    "ref_category",
    "ref_care_category",
    "ref_identifier_format",
    "ref_prior_auth",
    "ref_eligibility_param",
    "ref_dependant_rule",
    "ref_ald",
    "ref_rate",
    "ref_payer_route",
    "ref_payer",
    "ref_scheme",
    "ref_dataset",
    "idempotency_key",
    "used_jti",
    "audit_head",
    "audit_event",
    "exchange_patient",
    "exchange",
    "member_identifier",
    "member",
    "provider",
)


def downgrade() -> None:
    """Drop every table, dependants first."""
    for name in _TABLES:
        op.drop_table(name)
