"""Settlement: providers' bank accounts, batches, transfers, and the claims each pays (one
live transfer per claim).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_posting', schema=None) as batch_op:
        batch_op.create_index(
            'ix_ledger_posting_account_entry', ['account', 'entry_id'], unique=False
        )
    op.create_table('bank_account',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('provider', sa.String(), nullable=False),
    sa.Column('rib', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('proposed_by', sa.String(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bank_account', schema=None) as batch_op:
        batch_op.create_index('ix_bank_account_provider', ['provider', 'status'], unique=False)
    op.create_table('settlement_batch',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('cycle', sa.Date(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('settlement_batch', schema=None) as batch_op:
        batch_op.create_index('ix_settlement_batch_payer', ['payer', 'status'], unique=False)
    op.create_table('transfer',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('batch_id', sa.String(), nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('provider', sa.String(), nullable=False),
    sa.Column('iban', sa.String(), nullable=False),
    sa.Column('amount_centimes', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['settlement_batch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.create_index('ix_transfer_batch', ['batch_id', 'id'], unique=False)
        batch_op.create_index('ix_transfer_provider', ['provider', 'created'], unique=False)
    op.create_table('transfer_claim',
    sa.Column('transfer_id', sa.String(), nullable=False),
    sa.Column('claim_source', sa.String(), nullable=False),
    sa.Column('amount_centimes', sa.BigInteger(), nullable=False),
    sa.Column('rejected', sa.Boolean(), nullable=False),
    sa.Column('response_id', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfer.id'], ),
    sa.PrimaryKeyConstraint('transfer_id', 'claim_source')
    )
    with op.batch_alter_table('transfer_claim', schema=None) as batch_op:
        batch_op.create_index('ix_transfer_claim_source', ['claim_source'], unique=False)
        batch_op.create_index(
            'ux_transfer_claim_live', ['claim_source'], unique=True,
            sqlite_where=sa.text('rejected = 0'), postgresql_where=sa.text('NOT rejected'),
        )


def downgrade() -> None:
    with op.batch_alter_table('transfer_claim', schema=None) as batch_op:
        batch_op.drop_index('ux_transfer_claim_live')
        batch_op.drop_index('ix_transfer_claim_source')
    op.drop_table('transfer_claim')
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.drop_index('ix_transfer_provider')
        batch_op.drop_index('ix_transfer_batch')
    op.drop_table('transfer')
    with op.batch_alter_table('settlement_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_settlement_batch_payer')
    op.drop_table('settlement_batch')
    with op.batch_alter_table('bank_account', schema=None) as batch_op:
        batch_op.drop_index('ix_bank_account_provider')
    op.drop_table('bank_account')
    with op.batch_alter_table('ledger_posting', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_posting_account_entry')
