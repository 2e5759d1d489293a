"""Patrol-car units: a device's hot-list signing key, and a unit's own forwarding state

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("sync_key", sa.LargeBinary(), nullable=True))
    op.create_table(
        "unit_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_unit_state")),
    )
    op.create_table(
        "unit_forwarded",
        sa.Column("read_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_read_id", sa.String(length=100), nullable=False),
        sa.Column("forwarded_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("read_id", name=op.f("pk_unit_forwarded")),
    )


def downgrade() -> None:
    op.drop_table("unit_forwarded")
    op.drop_table("unit_state")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("sync_key")
