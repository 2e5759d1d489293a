"""Members, training, sessions, camera maintenance and audit reviews

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 00:15:52.251083
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "period_start", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("period_end", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_reviews")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("badge_number", sa.String(length=32), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column(
            "password_changed_at",
            platewarden.store.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("failed_logons", sa.Integer(), nullable=False),
        sa.Column(
            "locked_until", platewarden.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "deactivated_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("deactivated_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["supervisor_id"], ["members.id"], name=op.f("fk_members_supervisor_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("username", name=op.f("uq_members_username")),
    )
    op.create_table(
        "audit_review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("finding", sa.String(length=16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit_log.id"], name=op.f("fk_audit_review_items_audit_id_audit_log")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["audit_reviews.id"],
            name=op.f("fk_audit_review_items_review_id_audit_reviews"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_review_items")),
    )
    with op.batch_alter_table("audit_review_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_review_items_review_id"), ["review_id"], unique=False
        )

    op.create_table(
        "camera_maintenance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("done_on", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("performed_by", sa.String(length=100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("next_due", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column(
            "recorded_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_camera_maintenance_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_maintenance")),
    )
    with op.batch_alter_table("camera_maintenance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_camera_maintenance_camera_id_kind_done_on"),
            ["camera_id", "kind", "done_on"],
            unique=False,
        )

    op.create_table(
        "grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        sa.Column("granted_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_grants_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grants_member_id_kind"), ["member_id", "kind"], unique=False
        )

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_seen_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("ended_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_sessions_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column(
            "completed_on", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("expires_on", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column(
            "recorded_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_training_records_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_records_member_id_course"),
            ["member_id", "course"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_records_member_id_course"))

    op.drop_table("training_records")
    op.drop_table("sessions")
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_member_id_kind"))

    op.drop_table("grants")
    with op.batch_alter_table("camera_maintenance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_camera_maintenance_camera_id_kind_done_on"))

    op.drop_table("camera_maintenance")
    with op.batch_alter_table("audit_review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_review_items_review_id"))

    op.drop_table("audit_review_items")
    op.drop_table("members")
    op.drop_table("audit_reviews")
