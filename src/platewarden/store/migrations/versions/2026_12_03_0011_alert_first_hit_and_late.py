"""Alerts: the capture time of their first read, and whether they came late

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 01:20:00
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(
            sa.Column("first_hit_at", platewarden.store.types.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false()))
    # An alert's first read is the one it was raised for; a purged read leaves its last time.
    op.execute(
        "UPDATE alerts SET first_hit_at = COALESCE("
        "(SELECT reads.captured_at FROM reads WHERE reads.id = alerts.read_id), last_hit_at)"
    )
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column(
            "first_hit_at", existing_type=platewarden.store.types.UTCDateTime(), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("late")
        batch.drop_column("first_hit_at")
