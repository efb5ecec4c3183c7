"""Requests for information on a prise en charge and their answers, bodies encrypted.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('message',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('authorization_id', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('tenant', sa.String(), nullable=False),
    sa.Column('payer', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(), nullable=False),
    sa.Column('based_on', sa.String(), nullable=True),
    sa.Column('key_id', sa.String(), nullable=False),
    sa.Column('body_enc', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['authorization_id'], ['prior_authorization.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['based_on'], ['message.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_authorization', ['authorization_id', 'at'], unique=False)
        batch_op.create_index('ux_message_based_on', ['based_on'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ux_message_based_on')
        batch_op.drop_index('ix_message_authorization')

    op.drop_table('message')
