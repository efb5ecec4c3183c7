"""Prises en charge: their state beside the exchange that asked for each (same id).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('prior_authorization',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('tenant', sa.String(), nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('pa_type', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('overdue_flagged', sa.Boolean(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['exchange.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('prior_authorization', schema=None) as batch_op:
        batch_op.create_index('ix_prior_authorization_queue', ['payer', 'status', 'deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_prior_authorization_tenant'), ['tenant'], unique=False)
        batch_op.create_index('ix_prior_authorization_validity', ['status', 'valid_until'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('prior_authorization', schema=None) as batch_op:
        batch_op.drop_index('ix_prior_authorization_validity')
        batch_op.drop_index(batch_op.f('ix_prior_authorization_tenant'))
        batch_op.drop_index('ix_prior_authorization_queue')

    op.drop_table('prior_authorization')
