"""Devices: cameras and other systems that push reads, each with a scoped token

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 21:00:00
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=True),
        sa.Column("source_name", sa.String(length=100), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("last_used_at", platewarden.store.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", platewarden.store.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_devices_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("name", name=op.f("uq_devices_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_devices_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("devices")
