"""Patrol-car units: their audit records and alerts at the station, refused reads set aside

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:00:00

0013 is reserved for the partitioning work; whichever lands second revises the other.
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "unit_audit",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=True),
        sa.Column("case_number", sa.String(length=64), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("result_count", sa.Integer(), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_unit_audit_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_audit")),
        sa.UniqueConstraint("device_id", "entry_id", name=op.f("uq_unit_audit_device_id_entry_id")),
    )
    op.create_index(op.f("ix_unit_audit_actor_at"), "unit_audit", ["actor", "at"], unique=False)
    op.create_table(
        "unit_alerts",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("unit_alert_id", sa.BigInteger(), nullable=False),
        sa.Column("alert_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_unit_alerts_alert_id_alerts")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_unit_alerts_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("device_id", "unit_alert_id", name=op.f("pk_unit_alerts")),
    )
    op.create_table(
        "unit_alert_events",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("unit_event_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_unit_alert_events_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["alert_events.id"],
            name=op.f("fk_unit_alert_events_event_id_alert_events"),
        ),
        sa.PrimaryKeyConstraint("device_id", "unit_event_id", name=op.f("pk_unit_alert_events")),
    )
    op.create_table(
        "unit_set_aside",
        sa.Column("read_id", BIG_ID, nullable=False),
        sa.Column("client_read_id", sa.String(length=100), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_aside_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("read_id", name=op.f("pk_unit_set_aside")),
    )


def downgrade() -> None:
    op.drop_table("unit_set_aside")
    op.drop_table("unit_alert_events")
    op.drop_table("unit_alerts")
    op.drop_index(op.f("ix_unit_audit_actor_at"), table_name="unit_audit")
    op.drop_table("unit_audit")
