"""Hot lists and alerts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 23:55:39.353166
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hotlist_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlist_generation")),
    )
    op.execute("INSERT INTO hotlist_generation (id, generation) VALUES (1, 0)")
    op.create_table(
        "hotlist_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("loaded_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlist_versions")),
    )
    with op.batch_alter_table("hotlist_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hotlist_versions_source_loaded_at"),
            ["source", "loaded_at"],
            unique=False,
        )

    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("resolved_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_table(
        "hotlist_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("is_pattern", sa.Boolean(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction", sa.String(length=8), nullable=True),
        sa.Column("plate_type", sa.String(length=16), nullable=True),
        sa.Column("nic", sa.String(length=32), nullable=True),
        sa.Column("ori", sa.String(length=32), nullable=True),
        sa.Column("oca", sa.String(length=64), nullable=True),
        sa.Column("case_number", sa.String(length=64), nullable=True),
        sa.Column("entered_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("removed_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(length=100), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["hotlist_versions.id"],
            name=op.f("fk_hotlist_entries_version_id_hotlist_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlist_entries")),
    )
    with op.batch_alter_table("hotlist_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hotlist_entries_plate"), ["plate"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hotlist_entries_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "alerts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("read_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("plate", sa.String(length=16), nullable=True),
        sa.Column("matched_text", sa.String(length=16), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("jurisdiction_mismatch", sa.Boolean(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("historical", sa.Boolean(), nullable=False),
        sa.Column("hit_count", sa.Integer(), nullable=False),
        sa.Column("created_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_hit_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["hotlist_entries.id"], name=op.f("fk_alerts_entry_id_hotlist_entries")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["hotlist_versions.id"],
            name=op.f("fk_alerts_version_id_hotlist_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alerts_entry_id_plate_last_hit_at"),
            ["entry_id", "plate", "last_hit_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_alerts_read_id"), ["read_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_alerts_status_created_at"), ["status", "created_at"], unique=False
        )

    op.create_table(
        "alert_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_events_alert_id_alerts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
    )
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_events_alert_id"), ["alert_id"], unique=False)

    op.create_table(
        "alert_reads",
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("read_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_reads_alert_id_alerts")
        ),
        sa.PrimaryKeyConstraint("alert_id", "read_id", name=op.f("pk_alert_reads")),
    )
    with op.batch_alter_table("alert_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_reads_read_id"), ["read_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_reads_read_id"))

    op.drop_table("alert_reads")
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_events_alert_id"))

    op.drop_table("alert_events")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_status_created_at"))
        batch_op.drop_index(batch_op.f("ix_alerts_read_id"))
        batch_op.drop_index(batch_op.f("ix_alerts_entry_id_plate_last_hit_at"))

    op.drop_table("alerts")
    with op.batch_alter_table("hotlist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotlist_entries_version_id"))
        batch_op.drop_index(batch_op.f("ix_hotlist_entries_plate"))

    op.drop_table("hotlist_entries")
    op.drop_table("notices")
    with op.batch_alter_table("hotlist_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotlist_versions_source_loaded_at"))

    op.drop_table("hotlist_versions")
    op.drop_table("hotlist_generation")
