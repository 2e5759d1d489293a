"""read_plates loses its index by read: a read's rows are deleted by their primary key

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 22:30:00

A read's alternatives, its capture time and its id are the keys of its read_plates rows, so the
purge deletes them by key (store.plate_index) and the index on read_id (about 26 MB a million
reads on PostgreSQL, one more entry written a row at ingest) serves nothing. On PostgreSQL the
index of the partitioned table goes with every day's.
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_read_plates_read_id", table_name="read_plates")


def downgrade() -> None:
    op.create_index("ix_read_plates_read_id", "read_plates", ["read_id"])
