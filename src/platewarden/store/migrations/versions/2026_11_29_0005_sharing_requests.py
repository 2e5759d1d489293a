"""Sharing requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 00:34:32.086218
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "share_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("agency_type", sa.String(length=20), nullable=False),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("requester_contact", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("law_cited", sa.Text(), nullable=True),
        sa.Column("case_number", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column(
            "received_on", platewarden.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("document_name", sa.String(length=200), nullable=True),
        sa.Column("document", sa.LargeBinary(), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("approved_scope", sa.JSON(), nullable=True),
        sa.Column("reads_at_approval", sa.Integer(), nullable=True),
        sa.Column("fulfilled_by", sa.String(length=100), nullable=True),
        sa.Column(
            "fulfilled_at", platewarden.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("reads_released", sa.Integer(), nullable=True),
        sa.Column("reads_no_longer_kept", sa.Integer(), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_requests")),
    )
    with op.batch_alter_table("share_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_requests_direction_received_on"),
            ["direction", "received_on"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_share_requests_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("share_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_requests_status"))
        batch_op.drop_index(batch_op.f("ix_share_requests_direction_received_on"))

    op.drop_table("share_requests")
