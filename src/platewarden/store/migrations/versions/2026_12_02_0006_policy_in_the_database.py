"""The policy in force kept in the database, the installation's identity, bound sessions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 20:00:00
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("applied_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.Column("applied_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_policy_versions")),
    )
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("installation_id", sa.String(length=32), nullable=False),
        sa.Column("service_key_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installation")),
    )
    op.create_table(
        "unknown_logons",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("failed_logons", sa.Integer(), nullable=False),
        sa.Column("locked_until", platewarden.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_failed_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_unknown_logons")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bound_to", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("bound_to")
    op.drop_table("unknown_logons")
    op.drop_table("installation")
    op.drop_table("policy_versions")
