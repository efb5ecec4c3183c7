"""Register the SMART scopes a provider's client may be granted (wildcards need one).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing providers keep what they had, less wildcards: the default policy (empty).
    with op.batch_alter_table("provider") as table:
        table.add_column(sa.Column("scopes", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("provider") as table:
        table.drop_column("scopes")
