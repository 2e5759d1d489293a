"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 23:32:45.963091
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=True),
        sa.Column("case_number", sa.String(length=64), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("result_count", sa.Integer(), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor_at"), ["actor", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_case_number"), ["case_number"], unique=False)

    op.create_table(
        "cameras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        sa.Column("created_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cameras")),
        sa.UniqueConstraint("name", name=op.f("uq_cameras_name")),
    )
    op.create_table(
        "day_keys",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_day_keys")),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("case_number", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("preservation", sa.JSON(), nullable=True),
        sa.Column("read_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=100), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    op.create_table(
        "purge_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cutoff", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("reads_purged", sa.Integer(), nullable=False),
        sa.Column("images_purged", sa.Integer(), nullable=False),
        sa.Column("reads_kept_by_holds", sa.Integer(), nullable=False),
        sa.Column("days_shredded", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purge_runs")),
    )
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=False),
        sa.Column("evidence_number", sa.String(length=64), nullable=False),
        sa.Column("exported_by", sa.String(length=100), nullable=False),
        sa.Column(
            "exported_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("read_count", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["hold_id"], ["holds.id"], name=op.f("fk_exports_hold_id_holds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    op.create_table(
        "hold_reads",
        sa.Column("hold_id", sa.Integer(), nullable=False),
        sa.Column("read_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["holds.id"], name=op.f("fk_hold_reads_hold_id_holds")
        ),
        sa.PrimaryKeyConstraint("hold_id", "read_id", name=op.f("pk_hold_reads")),
    )
    with op.batch_alter_table("hold_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hold_reads_read_id"), ["read_id"], unique=False)

    op.create_table(
        "reads",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_name", sa.String(length=100), nullable=False),
        sa.Column("client_read_id", sa.String(length=100), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=True),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction", sa.String(length=8), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column(
            "captured_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "ingested_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("plate_box", sa.JSON(), nullable=True),
        sa.Column("frame_blob", sa.String(length=80), nullable=True),
        sa.Column("crop_blob", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_reads_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reads")),
        sa.UniqueConstraint(
            "source",
            "source_name",
            "client_read_id",
            name=op.f("uq_reads_source_source_name_client_read_id"),
        ),
    )
    with op.batch_alter_table("reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reads_captured_at"), ["captured_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reads_plate_captured_at"), ["plate", "captured_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reads_plate_captured_at"))
        batch_op.drop_index(batch_op.f("ix_reads_captured_at"))

    op.drop_table("reads")
    with op.batch_alter_table("hold_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hold_reads_read_id"))

    op.drop_table("hold_reads")
    op.drop_table("exports")
    op.drop_table("purge_runs")
    op.drop_table("holds")
    op.drop_table("day_keys")
    op.drop_table("cameras")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_case_number"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_at"))

    op.drop_table("audit_log")
