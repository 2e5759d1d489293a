"""Reads partitioned by capture day on PostgreSQL: made ahead, dropped by purge, held reads kept."""

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from tests.conftest import POSTGRES_URL
from tests.factories import CAMERA_FEED, CUSTODIAN, T0, FixedClock, actor, new_read

from platewarden.domain import CameraKind, HoldKind
from platewarden.jobs.registry import JOBS
from platewarden.policy.access import Role
from platewarden.selection import ReadSelection
from platewarden.services import alerts, cameras, holds, hotlists, purge, search
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime, open_runtime, upgrade_schema
from platewarden.settings import Settings
from platewarden.store.engine import make_engine
from platewarden.store.partitions import partition_days

INVESTIGATOR = actor(Role.INVESTIGATOR, name="investigator")
PURPOSE = {"purpose": "major_crime", "case_number": "26-1187"}

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),  # PostgreSQL only
]


def rows_in(rt: Runtime, table: str) -> int:
    with rt.engine.connect() as conn:
        return conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0


def test_ingest_gives_each_capture_day_its_partition(runtime: Runtime) -> None:
    days = [T0 - timedelta(days=n) for n in range(3)]
    ingest_reads(
        runtime, CAMERA_FEED, [new_read(f"DAY{n}", captured_at=d) for n, d in enumerate(days)]
    )

    with runtime.engine.connect() as conn:
        assert {d.date() for d in days} <= partition_days(conn)
    assert rows_in(runtime, "reads_20260601") == 1
    assert rows_in(runtime, "read_plates_20260530") == 1  # the read's one alternative
    assert rows_in(runtime, "reads_kept") == 0


def test_the_partition_job_makes_the_coming_days(runtime: Runtime, clock: FixedClock) -> None:
    report = JOBS["partitions"].run(runtime, CUSTODIAN)

    with runtime.engine.connect() as conn:
        made = partition_days(conn)
    wanted = {(clock.now() + timedelta(days=n)).date() for n in range(8)}
    assert wanted <= made
    assert "8" in report


def test_a_day_without_its_partition_keeps_its_reads_until_the_partition_takes_them(
    runtime: Runtime,
) -> None:
    runtime.partitions.ensure = lambda *_: None  # type: ignore[method-assign]  # as if it failed
    ingest_reads(runtime, CAMERA_FEED, [new_read("LATE123")])
    assert rows_in(runtime, "reads_kept") == 1

    del runtime.partitions.ensure  # the real one again
    runtime.partitions.ensure(runtime.engine, {T0.date()})

    assert rows_in(runtime, "reads_kept") == 0
    assert rows_in(runtime, "reads_20260601") == 1
    found = search.search_reads(
        runtime, INVESTIGATOR, search.SearchQuery(plate="LATE123", **PURPOSE)
    )
    assert [r.plate for r in found.reads] == ["LATE123"]


def test_purge_drops_an_expired_day_and_moves_its_held_read_out(
    runtime: Runtime, clock: FixedClock
) -> None:
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [new_read("HELD123", with_images=True), new_read("GONE123", with_images=True)],
    )
    holds.create_hold(
        runtime,
        CUSTODIAN,
        kind=HoldKind.EVIDENCE,
        reason="vehicle seen at a shooting",
        selection=ReadSelection(plates=("HELD123",)),
        **PURPOSE,
    )
    clock.advance(days=92)

    run = purge.purge(runtime, CUSTODIAN)

    assert (run.reads_purged, run.reads_kept_by_holds) == (1, 1)
    assert run.images_purged == 2  # the other read's frame and crop
    with runtime.engine.connect() as conn:
        assert T0.date() not in partition_days(conn)
    assert rows_in(runtime, "reads_kept") == 1
    assert rows_in(runtime, "read_plates_kept") == 1  # its alternative went with it
    with runtime.engine.connect() as conn:
        plates = set(conn.scalars(text("SELECT plate FROM plates")))
    assert plates == {"HELD123"}
    assert run.days_shredded == ()  # the held read's images still need the day's key
    query = search.SearchQuery(plate="HELD12?", since=T0 - timedelta(days=1), **PURPOSE)
    found = search.search_reads(runtime, INVESTIGATOR, query)
    assert [r.plate for r in found.reads] == ["HELD123"]


def test_purge_of_a_dropped_day_forgets_its_alert_hits(runtime: Runtime, clock: FixedClock) -> None:
    hotlists.add_entry(runtime, CUSTODIAN, plate="HIT1234", **PURPOSE)
    ingest_reads(runtime, CAMERA_FEED, [new_read("HIT1234")])
    clock.advance(days=92)

    purge.purge(runtime, CUSTODIAN)

    (alert,) = alerts.list_alerts(runtime, actor(Role.OFFICER))
    assert alert.read_id is None and alert.plate is None
    assert rows_in(runtime, "alert_reads") == 0


@pytest.fixture
def replica_url(settings: Settings) -> Iterator[str]:
    """A second schema standing in for a read replica of the database."""
    schema = f"pw_replica_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield (
        make_url(POSTGRES_URL)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_searches_read_the_replica_and_write_their_audit_to_the_primary(
    runtime: Runtime, settings: Settings, clock: FixedClock, replica_url: str, tmp_path: Path
) -> None:
    copy = replace(settings, database_url=replica_url, data_dir=tmp_path / "replica")
    upgrade_schema(copy)
    replica = open_runtime(copy, clock=clock)
    cameras.add_camera(replica, CUSTODIAN, name="cam-1", kind=CameraKind.FIXED)
    ingest_reads(replica, CAMERA_FEED, [new_read("ONREPL1")])  # as if replicated already
    replica.close()
    ingest_reads(runtime, CAMERA_FEED, [new_read("PRIMARY")])
    runtime.replica = make_engine(replica_url)  # closed with the runtime

    def found(plate: str) -> list[str]:
        query = search.SearchQuery(plate=plate, **PURPOSE)
        return [r.plate for r in search.search_reads(runtime, INVESTIGATOR, query).reads]

    assert found("ONREPL1") == ["ONREPL1"]
    assert found("PRIMARY") == []  # not on the replica (yet)
    with runtime.engine.connect() as conn:
        searches = conn.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'query_plate'"))
    assert searches == 2
