"""An accepted claim's entry names the Claim and ClaimResponse it was recorded with, and a
transfer's claim the Claim it pays: a payment traced to resources a provider can read.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("response_id", sa.String(), nullable=True))
    with op.batch_alter_table("transfer_claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(), nullable=False,
                                      server_default=""))  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("transfer_claim", schema=None) as batch_op:
        batch_op.drop_column("request_id")
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_column("response_id")
        batch_op.drop_column("request_id")
