"""Reads partitioned by capture day on PostgreSQL; a read's identity takes its capture time;
each plate keeps the latest day a read had it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 06:00:00
"""

import sqlalchemy as sa
from alembic import op

from platewarden.store.partitions import (
    PARTITIONED,
    create_kept_partitions,
    day_bounds,
    partition_name,
)

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD_KEY = "uq_reads_source_source_name_client_read_id"
NEW_KEY = "uq_reads_source_source_name_client_read_id_captured_at"
READS_INDEXES = {
    "ix_reads_plate_captured_at": "plate, captured_at",
    "ix_reads_captured_at": "captured_at",
    "ix_reads_camera_id_captured_at": "camera_id, captured_at",
    "ix_reads_area_cell_captured_at": "area_cell, captured_at",
}


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("plates") as batch:
        batch.add_column(sa.Column("last_day", sa.Date(), nullable=True))
    _fill_last_days(conn)
    with op.batch_alter_table("plates") as batch:
        batch.alter_column("last_day", existing_type=sa.Date(), nullable=False)
        batch.create_index("ix_plates_last_day", ["last_day"])
    if conn.dialect.name == "postgresql":
        _partition_reads(conn)
    else:
        with op.batch_alter_table("reads") as batch:
            batch.drop_constraint(OLD_KEY, type_="unique")
            batch.create_unique_constraint(
                NEW_KEY, ["source", "source_name", "client_read_id", "captured_at"]
            )


def _fill_last_days(conn: sa.Connection) -> None:
    """Each plate's latest capture day; a plate no read has any more gets a day long past."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "UPDATE plates SET last_day = latest.day FROM (SELECT plate,"
            " max((captured_at AT TIME ZONE 'UTC')::date) AS day FROM reads GROUP BY plate)"
            " AS latest WHERE latest.plate = plates.plate"
        )
    else:
        conn.exec_driver_sql(
            "UPDATE plates SET last_day = (SELECT substr(max(captured_at), 1, 10) FROM reads"
            " WHERE reads.plate = plates.plate)"
        )
    conn.exec_driver_sql("UPDATE plates SET last_day = '1970-01-01' WHERE last_day IS NULL")


def _partition_reads(conn: sa.Connection) -> None:
    """Copy reads and read_plates into tables partitioned by UTC capture day."""
    days = list(
        conn.scalars(
            sa.text("SELECT DISTINCT (captured_at AT TIME ZONE 'UTC')::date FROM reads ORDER BY 1")
        )
    )
    for table in PARTITIONED:
        conn.exec_driver_sql(
            f"CREATE TABLE {table}_new (LIKE {table} INCLUDING DEFAULTS)"
            " PARTITION BY RANGE (captured_at)"
        )
    for day in days:
        start, end = day_bounds(day)
        for table in PARTITIONED:
            conn.exec_driver_sql(
                f"CREATE TABLE {partition_name(table, day)} PARTITION OF {table}_new"
                f" FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
    conn.exec_driver_sql("INSERT INTO reads_new SELECT * FROM reads")
    conn.exec_driver_sql("INSERT INTO read_plates_new SELECT * FROM read_plates")
    conn.exec_driver_sql("ALTER SEQUENCE reads_id_seq OWNED BY NONE")
    conn.exec_driver_sql("DROP TABLE reads")
    conn.exec_driver_sql("DROP TABLE read_plates")
    conn.exec_driver_sql("ALTER TABLE reads_new RENAME TO reads")
    conn.exec_driver_sql("ALTER TABLE read_plates_new RENAME TO read_plates")
    conn.exec_driver_sql("ALTER SEQUENCE reads_id_seq OWNED BY reads.id")
    create_kept_partitions(conn)
    # Keys hold the partition column, and the source: the distribution column under Citus
    # (docs/scale.md), which needs it in every key of a distributed table.
    conn.exec_driver_sql(
        "ALTER TABLE reads ADD CONSTRAINT pk_reads PRIMARY KEY (id, source_name, captured_at)"
    )
    conn.exec_driver_sql(
        f"ALTER TABLE reads ADD CONSTRAINT {NEW_KEY}"
        " UNIQUE (source, source_name, client_read_id, captured_at)"
    )
    conn.exec_driver_sql(
        "ALTER TABLE reads ADD CONSTRAINT fk_reads_camera_id_cameras"
        " FOREIGN KEY (camera_id) REFERENCES cameras (id)"
    )
    for name, columns in READS_INDEXES.items():
        conn.exec_driver_sql(f"CREATE INDEX {name} ON reads ({columns})")
    conn.exec_driver_sql(
        "ALTER TABLE read_plates ADD CONSTRAINT pk_read_plates"
        " PRIMARY KEY (plate, captured_at, read_id)"
    )
    conn.exec_driver_sql("CREATE INDEX ix_read_plates_read_id ON read_plates (read_id)")


def downgrade() -> None:
    raise NotImplementedError("reads stay partitioned: restore a backup taken before 0013")
