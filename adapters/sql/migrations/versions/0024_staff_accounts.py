"""People's accounts in the extranet: staff users per organization and their sessions.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_user',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('org', sa.String(), nullable=False),
    sa.Column('side', sa.String(), nullable=False),
    sa.Column('email', sa.String(), nullable=False),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('password_hash', sa.String(), nullable=False),
    sa.Column('key_id', sa.String(), nullable=True),
    sa.Column('totp_enc', sa.LargeBinary(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.create_index('ix_staff_user_org', ['org'], unique=False)
        batch_op.create_index('ix_staff_user_email', ['email'], unique=True)
    op.create_table('staff_session',
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('user_id', sa.String(), nullable=False),
    sa.Column('org', sa.String(), nullable=False),
    sa.Column('side', sa.String(), nullable=False),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('email', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index('ix_staff_session_user_id', ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_session_user_id')
    op.drop_table('staff_session')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_user_email')
        batch_op.drop_index('ix_staff_user_org')
    op.drop_table('staff_user')
