"""PostgreSQL files each plate's grams in one row under a GIN index, not a row a gram

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 15:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps plate_grams
    op.create_table(
        "plate_gram_lists",
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("grams", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.PrimaryKeyConstraint("plate", name=op.f("pk_plate_gram_lists")),
    )
    op.execute(
        "INSERT INTO plate_gram_lists (plate, grams)"
        " SELECT plate, array_agg(gram ORDER BY gram) FROM plate_grams GROUP BY plate"
    )
    op.create_index(
        "ix_plate_gram_lists_grams", "plate_gram_lists", ["grams"], postgresql_using="gin"
    )
    op.drop_table("plate_grams")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "plate_grams",
        sa.Column("gram", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("gram", "plate", name=op.f("pk_plate_grams")),
    )
    op.execute(
        "INSERT INTO plate_grams (gram, plate)"
        " SELECT DISTINCT unnest(grams), plate FROM plate_gram_lists"
    )
    op.drop_index("ix_plate_gram_lists_grams", table_name="plate_gram_lists")
    op.drop_table("plate_gram_lists")
