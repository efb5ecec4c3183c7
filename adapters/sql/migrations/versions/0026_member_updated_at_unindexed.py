"""Drop the index on member.updated_at: nothing reads it since the registry's version
(0004) tells the gateways of a change, and a national import paid one more tree insertion
per member to keep it.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_member_updated_at", table_name="member")


def downgrade() -> None:
    op.create_index("ix_member_updated_at", "member", ["updated_at"])
