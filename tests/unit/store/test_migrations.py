"""Migrations build exactly the schema of schema.py."""

from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from platewarden.store import migrate
from platewarden.store.engine import make_engine
from platewarden.store.plate_index import plate_days
from platewarden.store.schema import metadata, reads


def test_migrations_match_the_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        opts = {
            "include_name": migrate.include_name,
            "include_object": migrate.include_object_on(conn.dialect.name),
        }
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == [], "schema.py changed without a migration"


def test_a_fresh_database_is_at_head_after_upgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    engine.dispose()


# A read as an earlier revision's reads table takes it, written without the package's code.
OLD_READ = (
    "INSERT INTO reads (source, source_name, client_read_id, plate, confidence, alternatives,"
    " captured_at, ingested_at) VALUES ('camera', 'cam-1', :id, :plate, 0.9, :alternatives,"
    " :at, :at)"
)


def test_plates_get_the_first_day_of_their_reads(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0014")
    with engine.begin() as conn:
        # Without their day's partition, PostgreSQL keeps them in the default one.
        for n, (plate, at) in enumerate(
            [
                ("ABC1234", "2026-05-09 01:00:00+00:00"),
                ("ABC1234", "2026-05-02 23:00:00+00:00"),
                ("XYZ9876", "2026-05-09 02:00:00+00:00"),
            ]
        ):
            values = {"id": f"r{n}", "plate": plate, "alternatives": "[]", "at": at}
            conn.execute(text(OLD_READ), values)
        conn.execute(
            text(
                "INSERT INTO plates (plate, last_day) VALUES ('ABC1234', '2026-05-09'),"
                " ('XYZ9876', '2026-05-09'), ('GONE001', '2026-04-01')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        days = conn.execute(text("SELECT plate, first_day, last_day FROM plates ORDER BY plate"))
        assert [(p, str(first), str(last)) for p, first, last in days] == [
            ("ABC1234", "2026-05-02", "2026-05-09"),
            ("GONE001", "2026-04-01", "2026-04-01"),
            ("XYZ9876", "2026-05-09", "2026-05-09"),
        ]
    engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite keeps its grams
def test_postgresql_moves_a_plates_grams_into_one_row(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0015")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO plate_grams (gram, plate) VALUES (7, 'ABC1234'), (3, 'ABC1234'),"
                " (5, 'XYZ9876')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT plate, grams FROM plate_gram_lists ORDER BY plate"))
        assert [tuple(row) for row in rows] == [("ABC1234", [3, 7]), ("XYZ9876", [5])]
        assert not inspect(engine).has_table("plate_grams")
    engine.dispose()


def test_a_store_with_reads_from_before_the_plate_index_upgrades(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0006")
    # Alternatives as reads kept them then: {"plate", "confidence"} objects.
    alternatives = (
        '[{"plate": "ABC1234", "confidence": 0.9}, {"plate": "A8C1234", "confidence": 0.08},'
        ' {"plate": "ABC1Z34", "confidence": 0.001}]'
    )
    at = "2026-11-30 10:00:00+00:00"
    values = {"id": "r1", "plate": "ABC1234", "alternatives": alternatives, "at": at}
    with engine.begin() as conn:
        conn.execute(text(OLD_READ), values)
    migrate.upgrade(engine)
    grams = "plate_gram_lists" if engine.dialect.name == "postgresql" else "plate_grams"
    with engine.connect() as conn:
        days = conn.execute(text("SELECT plate, first_day, last_day FROM plates")).all()
        assert [(p, str(first), str(last)) for p, first, last in days] == [
            ("ABC1234", "2026-11-30", "2026-11-30")
        ]
        assert conn.scalars(text("SELECT plate FROM read_plates")).all() == ["A8C1234"]
        assert conn.scalars(text(f"SELECT DISTINCT plate FROM {grams}")).all() == ["ABC1234"]
    engine.dispose()


def test_image_ids_are_packed_and_read_back_as_they_were(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0016")
    digest = "0123456789abcdef" * 4
    images = [  # (frame, crop): the image store's form, an id of another form, none
        (f"2026-11-30/{digest}", f"2026-11-30/{digest[::-1]}"),
        ("elsewhere/frame-7.jpg", None),
        (None, None),
    ]
    with engine.begin() as conn:
        for n, (frame, crop) in enumerate(images):
            values = {"id": f"r{n}", "plate": "ABC1234", "alternatives": "[]"}
            conn.execute(text(OLD_READ), values | {"at": "2026-11-30 10:00:00+00:00"})
            conn.execute(
                text(
                    "UPDATE reads SET frame_blob = :frame, crop_blob = :crop"
                    " WHERE client_read_id = :id"
                ),
                {"frame": frame, "crop": crop, "id": f"r{n}"},
            )
    migrate.upgrade(engine)
    order = "ORDER BY client_read_id"
    with engine.connect() as conn:
        stored = conn.scalars(text(f"SELECT frame_blob FROM reads {order}")).all()
        assert [len(v) if v else None for v in stored] == [36, 22, None]
        kept = conn.execute(
            select(reads.c.frame_blob, reads.c.crop_blob).order_by(reads.c.client_read_id)
        )
        assert [tuple(row) for row in kept] == images
    command.downgrade(migrate.alembic_config(engine), "0016")
    with engine.connect() as conn:
        assert [
            tuple(r) for r in conn.execute(text(f"SELECT frame_blob, crop_blob FROM reads {order}"))
        ] == images
    engine.dispose()


def test_plates_get_the_days_of_their_reads(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0017")
    with engine.begin() as conn:
        for n, at in enumerate(["2026-05-09 01:00:00+00:00", "2026-05-02 23:00:00+00:00"]):
            values = {"id": f"r{n}", "plate": "ABC1234", "alternatives": "[]", "at": at}
            conn.execute(text(OLD_READ), values)
        conn.execute(
            text(
                "INSERT INTO plates (plate, first_day, last_day)"
                " VALUES ('ABC1234', '2026-05-02', '2026-05-09'), ('GONE001', '2026-04-01',"
                " '2026-04-01')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        found = plate_days(conn, ["ABC1234", "GONE001"])
    listed = {date(2026, 5, 2), date(2026, 5, 9)}
    postgresql = engine.dialect.name == "postgresql"
    assert found["ABC1234"].listed == (listed if postgresql else None)
    assert found["GONE001"].listed is None  # no read left: its span stands
    engine.dispose()
