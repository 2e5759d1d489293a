"""Each plate keeps the first day a read had it too, so that a plate search reads only its days

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("plates") as batch:
        batch.add_column(sa.Column("first_day", sa.Date(), nullable=True))
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "UPDATE plates SET first_day = earliest.day FROM (SELECT plate,"
            " min((captured_at AT TIME ZONE 'UTC')::date) AS day FROM reads GROUP BY plate)"
            " AS earliest WHERE earliest.plate = plates.plate"
        )
    else:
        conn.exec_driver_sql(
            "UPDATE plates SET first_day = (SELECT substr(min(captured_at), 1, 10) FROM reads"
            " WHERE reads.plate = plates.plate)"
        )
    # A plate no read has any more (it goes at the next purge): its last day is as good.
    conn.exec_driver_sql("UPDATE plates SET first_day = last_day WHERE first_day IS NULL")
    with op.batch_alter_table("plates") as batch:
        batch.alter_column("first_day", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("plates") as batch:
        batch.drop_column("first_day")
