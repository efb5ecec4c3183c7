"""The payment-promise clock: payment terms in calendar or working days; a claim's due date
kept with its ledger entry.

Revision ID: 0019
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ref_payment_term', schema=None) as batch_op:
        # The terms loaded before were all counted in calendar days.
        batch_op.add_column(sa.Column('day_kind', sa.String(), nullable=False, server_default='calendar'))
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_column('due')
    with op.batch_alter_table('ref_payment_term', schema=None) as batch_op:
        batch_op.drop_column('day_kind')
