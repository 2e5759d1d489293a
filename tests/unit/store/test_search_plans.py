"""The query plans search relies on: each search shape's SQL is answered by its index."""

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, text
from tests.factories import CAMERA_FEED, CUSTODIAN, T0, new_read

from platewarden.domain import CameraKind
from platewarden.selection import ReadSelection
from platewarden.services import cameras
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store.selection import select_reads

DAY = (T0 - timedelta(hours=12), T0 + timedelta(hours=12))
# This schema's tables only: a bare ANALYZE reads every schema of the database.
ANALYZE = "ANALYZE reads, read_plates, plates, plate_gram_lists, cameras"


@pytest.fixture
def conn(runtime: Runtime) -> Iterator[Connection]:
    plates = [f"{a}{b}C{n:04d}" for a in "ABK" for b in "XYZ" for n in range(40)]
    reads = [
        new_read(
            p,
            captured_at=T0 - timedelta(minutes=n),
            latitude=46 + n / 1000,
            camera=f"cam-{n % 20 + 1}",
        )
        for n, p in enumerate(plates)
    ]
    for n in range(2, 21):
        cameras.add_camera(runtime, CUSTODIAN, name=f"cam-{n}", kind=CameraKind.FIXED)
    ingest_reads(runtime, CAMERA_FEED, reads)
    with runtime.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(ANALYZE))
            # A small table is cheaper to scan; this only shows that the index is usable.
            connection.execute(text("SET enable_seqscan = off"))
        yield connection


def plans(conn: Connection, selection: ReadSelection, runtime: Runtime) -> str:
    """Run a selection, then EXPLAIN every statement it ran; return the plans as one text."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", capture)
    try:
        select_reads(conn, selection, rules=runtime.policy.matching, limit=10)
    finally:
        event.remove(conn, "before_cursor_execute", capture)
    explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    found = []
    for statement, parameters in statements:
        rows = conn.exec_driver_sql(explain + statement, parameters).all()
        found.append(" | ".join(str(row[-1]) for row in rows))
    return "\n".join(found)


def uses(index: str, plan: str) -> bool:
    """True when the plan uses the index, or on PostgreSQL the index of a day's partition."""
    table, _, columns = index.removeprefix("ix_").partition("_")
    if table == "read" and columns.startswith("plates_"):
        table, columns = "read_plates", columns.removeprefix("plates_")
    return bool(re.search(rf"ix_{table}_{columns}\b|{table}_(\d{{8}}|kept)_{columns}_idx", plan))


def uses_key(table: str, plan: str) -> bool:
    """True when the plan looks rows up by the table's primary key (a partition's included)."""
    if table not in plan:
        return False
    return bool(re.search(rf"pk_{table}\b|PRIMARY KEY|{table}_(\d{{8}}|kept)_pkey", plan))


def test_exact_plate_uses_the_plate_index(conn: Connection, runtime: Runtime) -> None:
    plan = plans(conn, ReadSelection(plates=("AXC0001",)), runtime)
    assert uses("ix_reads_plate_captured_at", plan)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # its day partitions
def test_a_plate_search_plans_only_the_days_its_plate_was_read(
    conn: Connection, runtime: Runtime
) -> None:
    earlier = [new_read("WK00001", captured_at=T0 - timedelta(days=d)) for d in range(1, 8)]
    ingest_reads(runtime, CAMERA_FEED, earlier)
    conn.execute(text(ANALYZE))
    since = T0 - timedelta(days=30)
    plan = plans(conn, ReadSelection(plates=("AXC0001",), since=since), runtime)
    days = set(re.findall(r"reads_(\d{8})", plan))
    assert days == {T0.strftime("%Y%m%d")}
    # A plate no read has: no day's partition is planned at all.
    assert "reads_" not in plans(conn, ReadSelection(plates=("QQQ9999",), since=since), runtime)


def test_a_wildcard_uses_the_grams_then_the_plate_index(conn: Connection, runtime: Runtime) -> None:
    plan = plans(conn, ReadSelection(plates=("A?C0012",)), runtime)
    if conn.dialect.name == "postgresql":
        assert uses("ix_plate_gram_lists_grams", plan)
    else:
        assert uses_key("plate_grams", plan)
    assert uses("ix_reads_plate_captured_at", plan)


def test_look_alikes_use_the_alternatives_index(conn: Connection, runtime: Runtime) -> None:
    plan = plans(conn, ReadSelection(plates=("AXCO001",), ocr_equivalent=True), runtime)
    assert uses_key("read_plates", plan)
    assert uses("ix_reads_plate_captured_at", plan)


def test_an_area_uses_the_area_cell_index(conn: Connection, runtime: Runtime) -> None:
    selection = ReadSelection(
        latitude=46.01, longitude=-112.03, radius_m=1000, since=DAY[0], until=DAY[1]
    )
    assert uses("ix_reads_area_cell_captured_at", plans(conn, selection, runtime))


def test_a_camera_uses_the_camera_index(conn: Connection, runtime: Runtime) -> None:
    # A day of other cameras' reads: one camera's are then clearly the few, whatever order the
    # fixture's reads reached the small indexes in (which tips the planner at 18 reads in 360).
    others = [
        new_read(
            f"OT{n:05d}", captured_at=T0 - timedelta(seconds=n * 7), camera=f"cam-{n % 19 + 2}"
        )
        for n in range(3000)
    ]
    ingest_reads(runtime, CAMERA_FEED, others)
    if conn.dialect.name == "postgresql":
        conn.execute(text(ANALYZE))
    selection = ReadSelection(cameras=("cam-1",), since=DAY[0], until=DAY[1])
    assert uses("ix_reads_camera_id_captured_at", plans(conn, selection, runtime))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # its day partitions
def test_a_plate_search_plans_only_the_days_listed_for_its_plate(
    conn: Connection, runtime: Runtime
) -> None:
    def read_on(days_ago: int, plate: str = "WK00002") -> Any:
        return new_read(plate, captured_at=T0 - timedelta(days=days_ago, hours=1))

    conn.commit()  # the fixture's ANALYZE holds a lock that making a day's partition waits on
    # Every day from 1 to 6 has a partition; the plate's reads are on days 1 and 6 only.
    others = [read_on(d, f"OT{d:05d}") for d in range(1, 7)]
    ingest_reads(runtime, CAMERA_FEED, [*others, read_on(1), read_on(6)])
    conn.execute(text(ANALYZE))
    conn.commit()
    selection = ReadSelection(plates=("WK00002",), since=T0 - timedelta(days=30))

    def planned() -> set[str]:
        return set(re.findall(r"reads_(\d{8})", plans(conn, selection, runtime)))

    def day(days_ago: int) -> str:
        return (T0 - timedelta(days=days_ago, hours=1)).strftime("%Y%m%d")

    assert planned() == {day(1), day(6)}, "the days between hold no read of the plate"
    # A read sent late, of a day inside the plate's span, lists its day too and is found.
    conn.commit()
    ingest_reads(runtime, CAMERA_FEED, [read_on(3)])
    assert planned() == {day(1), day(3), day(6)}
    found = select_reads(conn, selection, rules=runtime.policy.matching, limit=10)
    assert len(found.reads) == 3
