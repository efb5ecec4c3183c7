"""What claims are adjudicated against: tariffs (TNR key letters, NABM B, flat fees, day
rates), fee substitutions, caps, filing windows, required documents and payment terms.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ref_cap',
    sa.Column('dataset_version', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('category', sa.String(), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('amount_centimes', sa.Integer(), nullable=False),
    sa.Column('period_months', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version'], ['ref_dataset.version'], name='fk_ref_cap_dataset', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_version', 'position', name='pk_ref_cap')
    )
    op.create_table('ref_claim_document',
    sa.Column('dataset_version', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('claim_type', sa.String(), nullable=False),
    sa.Column('document', sa.String(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version'], ['ref_dataset.version'], name='fk_ref_claim_document_dataset', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_version', 'position', name='pk_ref_claim_document')
    )
    op.create_table('ref_fee_substitution',
    sa.Column('dataset_version', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('document', sa.String(), nullable=False),
    sa.Column('paid_as', sa.String(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version'], ['ref_dataset.version'], name='fk_ref_fee_substitution_dataset', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_version', 'position', name='pk_ref_fee_substitution')
    )
    op.create_table('ref_filing_window',
    sa.Column('dataset_version', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('claim_type', sa.String(), nullable=False),
    sa.Column('span', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version'], ['ref_dataset.version'], name='fk_ref_filing_window_dataset', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_version', 'position', name='pk_ref_filing_window')
    )
    op.create_table('ref_payment_term',
    sa.Column('dataset_version', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('claim_type', sa.String(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version'], ['ref_dataset.version'], name='fk_ref_payment_term_dataset', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_version', 'position', name='pk_ref_payment_term')
    )
    op.create_table('ref_tariff',
    sa.Column('dataset_version', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('provider_category', sa.String(), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('value_centimes', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version'], ['ref_dataset.version'], name='fk_ref_tariff_dataset', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_version', 'position', name='pk_ref_tariff')
    )


def downgrade() -> None:
    op.drop_table('ref_tariff')
    op.drop_table('ref_payment_term')
    op.drop_table('ref_filing_window')
    op.drop_table('ref_fee_substitution')
    op.drop_table('ref_claim_document')
    op.drop_table('ref_cap')
