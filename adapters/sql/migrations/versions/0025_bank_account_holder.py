"""A proposed bank account keeps its holder's name, so that the second approver checks it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bank_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("bank_account", schema=None) as batch_op:
        batch_op.drop_column("holder")
