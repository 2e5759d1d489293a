"""Each plate lists the days its reads were captured (PostgreSQL), or keeps its span past a few."""

from datetime import date, timedelta

import pytest
from tests.factories import CAMERA_FEED, T0, new_read

from platewarden.domain import NewRead
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store import plate_index
from platewarden.store.plate_index import PlateDays, plate_days


def read_on(days_ago: int) -> NewRead:
    return new_read("WK00003", captured_at=T0 - timedelta(days=days_ago, hours=1))


def days_of(runtime: Runtime) -> PlateDays:
    with runtime.engine.connect() as conn:
        return plate_days(conn, ["WK00003"])["WK00003"]


def day(days_ago: int) -> date:
    return (T0 - timedelta(days=days_ago, hours=1)).date()


def test_a_plate_lists_its_days_and_keeps_its_span(runtime: Runtime) -> None:
    ingest_reads(runtime, CAMERA_FEED, [read_on(6), read_on(1)])
    ingest_reads(runtime, CAMERA_FEED, [read_on(3)])  # sent late, inside the span
    found = days_of(runtime)
    assert (found.first, found.last) == (day(6), day(1))
    if runtime.engine.dialect.name == "postgresql":
        assert found.listed == {day(6), day(3), day(1)}
    else:  # one table of reads: the span is all a search needs
        assert found.listed is None


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite lists none
def test_a_plate_read_on_too_many_days_keeps_its_span_only(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plate_index, "MAX_LISTED_DAYS", 2)
    ingest_reads(runtime, CAMERA_FEED, [read_on(5), read_on(4)])
    assert days_of(runtime).listed == {day(5), day(4)}
    ingest_reads(runtime, CAMERA_FEED, [read_on(2)])  # a third day: past the limit
    assert days_of(runtime) == PlateDays(day(5), day(2), None)
    ingest_reads(runtime, CAMERA_FEED, [read_on(9), read_on(8), read_on(7)])  # widens only
    assert days_of(runtime) == PlateDays(day(9), day(2), None)
    # A new plate read on more days than the limit in its first batch lists none either.
    batch = [new_read("WK00004", captured_at=T0 - timedelta(days=d)) for d in (1, 2, 3)]
    ingest_reads(runtime, CAMERA_FEED, batch)
    with runtime.engine.connect() as conn:
        assert plate_days(conn, ["WK00004"])["WK00004"].listed is None
