"""Cameras: the capture time of the last frame or read heard from each

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 01:00:00
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cameras") as batch:
        batch.add_column(
            sa.Column("last_seen_at", platewarden.store.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("cameras") as batch:
        batch.drop_column("last_seen_at")
