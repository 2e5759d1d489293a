"""The durable queue of camera frames

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 21:30:00
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frames",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("client_frame_id", sa.String(length=100), nullable=False),
        sa.Column("blob_id", sa.String(length=80), nullable=False),
        sa.Column("captured_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        sa.Column("received_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.Column("leased_until", platewarden.store.types.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_frames_camera_id_cameras")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_frames_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frames")),
        sa.UniqueConstraint(
            "device_id", "client_frame_id", name=op.f("uq_frames_device_id_client_frame_id")
        ),
    )
    with op.batch_alter_table("frames", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_frames_leased_until_id"), ["leased_until", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("frames", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frames_leased_until_id"))
    op.drop_table("frames")
