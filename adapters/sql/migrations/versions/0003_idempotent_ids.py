"""Keep the ids an idempotent answer was stored under: a replay names them in its headers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_key") as table:
        table.add_column(sa.Column("response_id", sa.String(), nullable=False, server_default=""))
        table.add_column(sa.Column("request_id", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_key") as table:
        table.drop_column("request_id")
        table.drop_column("response_id")
