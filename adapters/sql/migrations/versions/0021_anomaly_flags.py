"""Anomaly flags for the payers' reviewers: rule flags written with their claim, statistical
flags replaced by each run of the profiling job.

Revision ID: 0021
Revises: 0015
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('anomaly_flag',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('subject_kind', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claim_source', sa.String(), nullable=True),
    sa.Column('claim_request_id', sa.String(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=True),
    sa.Column('value', sa.String(), nullable=True),
    sa.Column('peer_median', sa.String(), nullable=True),
    sa.Column('peers', sa.Integer(), nullable=True),
    sa.Column('score', sa.String(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('anomaly_flag', schema=None) as batch_op:
        batch_op.create_index('ix_anomaly_flag_payer', ['payer', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('anomaly_flag', schema=None) as batch_op:
        batch_op.drop_index('ix_anomaly_flag_payer')
    op.drop_table('anomaly_flag')
