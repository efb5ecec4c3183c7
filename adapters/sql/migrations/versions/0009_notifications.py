"""Notifications: the outbox of events, their deliveries, subscriptions, webhook endpoints.

An event is written in the transaction of the change that causes it (outbox_event); the
worker fans it out into one delivery per matching subscription and attempts each delivery
until its endpoint answers 2xx or it goes dead.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_event',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('tenant', sa.String(), nullable=False),
    sa.Column('topic', sa.String(), nullable=False),
    sa.Column('focus', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_outbox_event_dispatched_at', 'outbox_event', ['dispatched_at', 'at'])

    op.create_table('webhook_endpoint',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('tenant', sa.String(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('key_id', sa.String(), nullable=False),
    sa.Column('secret_enc', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant'], ['provider.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant', 'url', name='uq_webhook_endpoint_tenant_url')
    )
    op.create_table('subscription',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('tenant', sa.String(), nullable=False),
    sa.Column('topic', sa.String(), nullable=False),
    sa.Column('endpoint_id', sa.String(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('filters', sa.Text(), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('events', sa.BigInteger(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_subscription_endpoint_id', 'subscription', ['endpoint_id'])
    op.create_index('ix_subscription_tenant_topic', 'subscription', ['tenant', 'topic'])

    op.create_table('delivery',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('event_id', sa.String(), nullable=False),
    sa.Column('subscription_id', sa.String(), nullable=False),
    sa.Column('tenant', sa.String(), nullable=False),
    sa.Column('event_number', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('lease_owner', sa.String(), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'subscription_id', name='uq_delivery_event_subscription')
    )
    op.create_index('ix_delivery_due', 'delivery', ['status', 'next_attempt_at'])
    op.create_index('ix_delivery_subscription_number', 'delivery', ['subscription_id', 'event_number'])



def downgrade() -> None:
    op.drop_index('ix_delivery_subscription_number', 'delivery')
    op.drop_index('ix_delivery_due', 'delivery')

    op.drop_table('delivery')
    op.drop_index('ix_subscription_tenant_topic', 'subscription')
    op.drop_index('ix_subscription_endpoint_id', 'subscription')

    op.drop_table('subscription')
    op.drop_table('webhook_endpoint')
    op.drop_index('ix_outbox_event_dispatched_at', 'outbox_event')

    op.drop_table('outbox_event')
