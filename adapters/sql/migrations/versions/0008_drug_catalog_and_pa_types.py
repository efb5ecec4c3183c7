"""The drug catalog (refdata/drugs.csv) and the kinds of prise en charge (pa_types.csv).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ref_drug',
    sa.Column('dataset_version', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('ean13', sa.String(), nullable=False),
    sa.Column('dci', sa.String(), nullable=False),
    sa.Column('form', sa.String(), nullable=False),
    sa.Column('strength', sa.String(), nullable=False),
    sa.Column('generic_group', sa.String(), nullable=False),
    sa.Column('ppv_centimes', sa.Integer(), nullable=False),
    sa.Column('pbr_centimes', sa.Integer(), nullable=True),
    sa.Column('reimbursable', sa.Boolean(), nullable=False),
    sa.Column('costly', sa.Boolean(), nullable=False),
    sa.Column('indications', sa.String(), nullable=True),
    sa.Column('max_quantity', sa.Integer(), nullable=False),
    sa.Column('period_days', sa.Integer(), nullable=False),
    sa.Column('specialties', sa.String(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version'], ['ref_dataset.version'], name='fk_ref_drug_dataset', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_version', 'position', name='pk_ref_drug')
    )
    op.create_table('ref_pa_type',
    sa.Column('dataset_version', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('documents', sa.Text(), nullable=False),
    sa.Column('answer_hours', sa.Integer(), nullable=False),
    sa.Column('validity_days', sa.Integer(), nullable=False),
    sa.Column('regularise_hours', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version'], ['ref_dataset.version'], name='fk_ref_pa_type_dataset', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_version', 'position', name='pk_ref_pa_type')
    )


def downgrade() -> None:
    op.drop_table('ref_pa_type')
    op.drop_table('ref_drug')
