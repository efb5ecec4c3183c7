"""Where a provider stands in its tiers-payant convention: active, suspended, terminated.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("provider") as table:
        table.add_column(
            sa.Column("convention", sa.String(), server_default="active", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("provider") as table:
        table.drop_column("convention")
