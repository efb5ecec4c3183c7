"""The rates a payer sets per ALD/ALC condition (refdata/ald_rates.csv).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("ref_ald_rate",
    sa.Column("dataset_version", sa.String(), nullable=False),
    sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("scheme", sa.String(), nullable=False),
    sa.Column("condition", sa.String(), nullable=False),
    sa.Column("rate", sa.String(), nullable=False),
    sa.Column("valid_from", sa.Date(), nullable=False),
    sa.Column("valid_to", sa.Date(), nullable=True),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("confidence", sa.String(), nullable=False),
    sa.ForeignKeyConstraint(["dataset_version"], ["ref_dataset.version"], name="fk_ref_ald_rate_dataset", ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("dataset_version", "position", name="pk_ref_ald_rate")
    )


def downgrade() -> None:
    op.drop_table("ref_ald_rate")
