"""What the complementary organisations (RC: the public sector's mutuelles) pay of a line.

Revision ID: 0015
Revises: 0019 (0014 is reserved for a revision being written beside this one: whichever lands
second revises the other, so that the migrations keep one head)
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ref_complementary_cover',
    sa.Column('dataset_version', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('organisation', sa.String(), nullable=False),
    sa.Column('category', sa.String(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('ticket_rate', sa.String(), nullable=False),
    sa.Column('above_tariff_rate', sa.String(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version'], ['ref_dataset.version'], name='fk_ref_complementary_cover_dataset', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_version', 'position', name='pk_ref_complementary_cover')
    )


def downgrade() -> None:
    op.drop_table('ref_complementary_cover')
