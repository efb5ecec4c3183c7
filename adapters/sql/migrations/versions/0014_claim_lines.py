"""The claim history: each payable line of a claim made payable, the patient and the
prescription as blind indexes, read by member and date or by prescription.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claim_line',
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('sequence', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('provider_id', sa.String(), nullable=False),
    sa.Column('member_index', sa.String(), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('category', sa.String(), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('prescription_index', sa.String(), nullable=True),
    sa.Column('benefit_centimes', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'sequence')
    )
    with op.batch_alter_table('claim_line', schema=None) as batch_op:
        batch_op.create_index('ix_claim_line_member', ['member_index', 'service_date'], unique=False)
        batch_op.create_index('ix_claim_line_prescription', ['prescription_index'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('claim_line', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_line_prescription')
        batch_op.drop_index('ix_claim_line_member')

    op.drop_table('claim_line')
