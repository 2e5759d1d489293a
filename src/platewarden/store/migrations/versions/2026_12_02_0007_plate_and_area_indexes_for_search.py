"""Plate and area indexes for search: read_plates, plates, plate_grams, area cells, camera index

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 21:00:00
"""

import sqlalchemy as sa
from alembic import op

import platewarden.store.types
from platewarden.store.alternatives import alternatives_from_column
from platewarden.store.plate_index import area_cell, plate_grams_of, searchable_alternatives

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("reads") as batch:
        batch.add_column(sa.Column("area_cell", sa.Integer(), nullable=True))
    op.create_index("ix_reads_camera_id_captured_at", "reads", ["camera_id", "captured_at"])
    op.create_index("ix_reads_area_cell_captured_at", "reads", ["area_cell", "captured_at"])
    op.create_table(
        "read_plates",
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("captured_at", platewarden.store.types.UTCDateTime(), nullable=False),
        sa.Column("read_id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("plate", "captured_at", "read_id", name=op.f("pk_read_plates")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_read_plates_read_id", "read_plates", ["read_id"])
    op.create_table(
        "plates",
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("plate", name=op.f("pk_plates")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "plate_grams",
        sa.Column("gram", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("gram", "plate", name=op.f("pk_plate_grams")),
        sqlite_with_rowid=False,
    )
    _index_stored_reads(op.get_bind())


def _index_stored_reads(conn: sa.Connection) -> None:
    """Fill the new indexes from the reads already stored, a chunk at a time.

    The rows are written here, to the tables as this revision makes them: the package's
    plate index writes columns and tables that later revisions add.
    """
    read_plates = sa.table(
        "read_plates",
        sa.column("plate", sa.String),
        sa.column("captured_at", platewarden.store.types.UTCDateTime),
        sa.column("read_id", sa.Integer),
    )
    plates = sa.table("plates", sa.column("plate", sa.String))
    plate_grams = sa.table(
        "plate_grams", sa.column("gram", sa.Integer), sa.column("plate", sa.String)
    )
    filed: set[str] = set()
    reads = sa.table(
        "reads",
        sa.column("id", sa.Integer),
        sa.column("plate", sa.String),
        sa.column("alternatives", sa.JSON),
        sa.column("captured_at", platewarden.store.types.UTCDateTime),
        sa.column("latitude", sa.Float),
        sa.column("longitude", sa.Float),
        sa.column("area_cell", sa.Integer),
    )
    last = 0
    while True:
        query = sa.select(reads).where(reads.c.id > last).order_by(reads.c.id).limit(5000)
        rows = [dict(r) for r in conn.execute(query).mappings()]
        if not rows:
            return
        last = rows[-1]["id"]
        alternatives = [
            {"plate": text, "captured_at": row["captured_at"], "read_id": row["id"]}
            for row in rows
            for text in searchable_alternatives(
                row["plate"],
                [(a.plate, a.confidence) for a in alternatives_from_column(row["alternatives"])],
            )
        ]
        new = sorted({row["plate"] for row in rows} - filed)
        filed.update(new)
        grams = [{"gram": g, "plate": p} for p in new for g in sorted(set(plate_grams_of(p)))]
        for table, values in ((read_plates, alternatives), (plates, [{"plate": p} for p in new])):
            if values:
                conn.execute(table.insert(), values)
        if grams:
            conn.execute(plate_grams.insert(), grams)
        cells = [
            {"read": row["id"], "cell": area_cell(row["latitude"], row["longitude"])}
            for row in rows
            if row["latitude"] is not None
        ]
        if cells:
            update = reads.update().where(reads.c.id == sa.bindparam("read"))
            conn.execute(update.values(area_cell=sa.bindparam("cell")), cells)


def downgrade() -> None:
    op.drop_table("plate_grams")
    op.drop_table("plates")
    op.drop_index("ix_read_plates_read_id", table_name="read_plates")
    op.drop_table("read_plates")
    op.drop_index("ix_reads_area_cell_captured_at", table_name="reads")
    op.drop_index("ix_reads_camera_id_captured_at", table_name="reads")
    with op.batch_alter_table("reads") as batch:
        batch.drop_column("area_cell")
