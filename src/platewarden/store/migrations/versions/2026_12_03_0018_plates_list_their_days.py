"""Plates list the days their reads were captured, so that a plate search reads those days only

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 19:00:00

On PostgreSQL each plate read on at most 32 days gets them from its reads; SQLite, whose reads
are one table, leaves the column empty.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    kind = postgresql.ARRAY(sa.Date()).with_variant(sa.JSON(), "sqlite")
    with op.batch_alter_table("plates") as batch:
        batch.add_column(sa.Column("days", kind, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE plates SET days = read.days FROM (SELECT plate,"
            " array_agg(DISTINCT (captured_at AT TIME ZONE 'UTC')::date) AS days FROM reads"
            " GROUP BY plate) AS read"
            " WHERE read.plate = plates.plate AND cardinality(read.days) <= 32"
        )


def downgrade() -> None:
    with op.batch_alter_table("plates") as batch:
        batch.drop_column("days")
