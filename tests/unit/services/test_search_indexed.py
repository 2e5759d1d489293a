"""Indexed search: pages by key, wildcards and look-alikes by index, no write lock, purge."""

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from tests.factories import CAMERA_FEED, CUSTODIAN, T0, FixedClock, actor, new_read

from platewarden.domain import Alternative
from platewarden.policy.access import Role
from platewarden.services import purge
from platewarden.services.errors import InvalidInputError
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.search import SearchQuery, search_reads
from platewarden.store import selection
from platewarden.store.engine import reading
from platewarden.store.plate_index import SEARCHABLE_ALTERNATIVE
from platewarden.store.schema import plate_gram_lists, plate_grams, plates, read_plates

DETECTIVE = actor(Role.INVESTIGATOR, name="detective")


def search(rt: Runtime, **values: object) -> list[str]:
    query = SearchQuery("major_crime", "26-9", **values)  # type: ignore[arg-type]
    return sorted(r.plate for r in search_reads(rt, DETECTIVE, query).reads)


def test_pages_follow_the_cursor_oldest_first_without_repeats(runtime: Runtime) -> None:
    reads = [new_read("ABC1234", captured_at=T0 - timedelta(minutes=n)) for n in range(5)]
    reads.append(new_read("ABC1234", captured_at=T0 - timedelta(minutes=2)))  # same time
    ingest_reads(runtime, CAMERA_FEED, reads)
    seen, cursor, pages = [], None, 0
    while True:
        query = SearchQuery("stolen_vehicle", "26-9", plate="ABC1234", limit=2, after=cursor)
        result = search_reads(runtime, DETECTIVE, query)
        seen += [(r.captured_at, r.id) for r in result.reads]
        pages += 1
        cursor = result.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(seen) and len(set(seen)) == 6


def test_a_cursor_not_given_by_search_is_refused(runtime: Runtime) -> None:
    query = SearchQuery("stolen_vehicle", "26-9", plate="ABC1234", after="12@yesterday")
    with pytest.raises(InvalidInputError, match="not a cursor"):
        search_reads(runtime, DETECTIVE, query)


def test_wildcards_find_plates_by_their_fixed_positions(runtime: Runtime) -> None:
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [new_read(p) for p in ("7AX4123", "7BX4", "8AX4123", "7AY4123", "X7AX41")],
    )
    assert search(runtime, plate="7?X4*") == ["7AX4123", "7BX4"]
    assert search(runtime, plate="*AX41*") == ["7AX4123", "8AX4123", "X7AX41"]
    assert search(runtime, plate="*X4123") == ["7AX4123", "8AX4123"]
    assert search(runtime, plate="7??4?2?") == ["7AX4123", "7AY4123"]  # no pair: every plate


def test_look_alikes_are_found_through_alternatives_and_confusables(runtime: Runtime) -> None:
    misread = new_read("ABC1Z34", alternatives=(Alternative("KLM5555", 0.1),))
    ingest_reads(runtime, CAMERA_FEED, [misread, new_read("A8C1234"), new_read("XYZ1234")])
    assert search(runtime, plate="ABC1234", ocr_equivalent=True) == ["A8C1234", "ABC1Z34"]
    assert search(runtime, plate="KLM5S55", ocr_equivalent=True) == ["ABC1Z34"]
    assert search(runtime, plate="A8C1*", ocr_equivalent=True) == ["A8C1234", "ABC1Z34"]


def test_only_alternatives_the_reader_gave_some_weight_are_searchable(runtime: Runtime) -> None:
    """The reader's last guesses (under SEARCHABLE_ALTERNATIVE) stay with the read, but an
    OCR-equivalent search does not find the read by them."""
    guesses = (
        Alternative("ABC1234", 0.9),
        Alternative("ABC1284", SEARCHABLE_ALTERNATIVE),
        Alternative("ABC1294", SEARCHABLE_ALTERNATIVE * 0.99),
    )
    ingest_reads(runtime, CAMERA_FEED, [new_read("ABC1234", alternatives=guesses)])
    assert search(runtime, plate="ABC1284", ocr_equivalent=True) == ["ABC1234"]
    assert search(runtime, plate="ABC1294", ocr_equivalent=True) == []
    query = SearchQuery("major_crime", "26-9", plate="ABC1234")
    (stored,) = search_reads(runtime, DETECTIVE, query).reads
    assert [a.plate for a in stored.alternatives] == ["ABC1234", "ABC1284", "ABC1294"]


def test_more_matching_reads_than_keys_looked_up_first_are_still_all_found(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    misread = new_read("ABC1Z34", alternatives=(Alternative("ABC1234", 0.1),))
    ingest_reads(runtime, CAMERA_FEED, [misread, new_read("ABC1234"), new_read("ABC1234")])
    monkeypatch.setattr(selection, "MAX_KEYS", 1)  # the database joins the keys instead
    assert search(runtime, plate="ABC1234") == ["ABC1234", "ABC1234"]
    assert search(runtime, plate="ABC1234", ocr_equivalent=True) == [
        "ABC1234",
        "ABC1234",
        "ABC1Z34",
    ]


def test_a_plate_search_reads_only_the_days_its_plate_was_read(runtime: Runtime) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("DAY0001", captured_at=T0 - timedelta(days=3))])
    ingest_reads(runtime, CAMERA_FEED, [new_read("DAY0001", captured_at=T0 - timedelta(days=1))])
    with runtime.engine.connect() as conn:
        assert conn.execute(select(plates.c.first_day, plates.c.last_day)).one() == (
            (T0 - timedelta(days=3)).date(),
            (T0 - timedelta(days=1)).date(),
        )
    # A read sent late (a car back from days without a network) widens its plate's days.
    late = [new_read("DAY0001", captured_at=T0 - timedelta(days=9)), new_read("DAY0002")]
    ingest_reads(runtime, CAMERA_FEED, late)
    ingest_reads(runtime, CAMERA_FEED, [new_read("DAY0001", captured_at=T0)])
    found = search_reads(runtime, DETECTIVE, SearchQuery("major_crime", "26-9", plate="DAY0001"))
    assert [r.captured_at for r in found.reads] == [
        T0 - timedelta(days=9),
        T0 - timedelta(days=3),
        T0 - timedelta(days=1),
        T0,
    ]
    assert search(runtime, plate="NOT0001") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the write lock is SQLite's
def test_a_search_holds_no_write_lock_while_it_reads(runtime: Runtime) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("ABC1234")])
    with reading(runtime.engine) as conn:
        assert conn.scalar(select(func.count()).select_from(plates)) == 1
        other = sqlite3.connect(runtime.engine.url.database or "", timeout=0.1)
        other.execute("BEGIN IMMEDIATE")  # would fail at once if the search held the lock
        other.rollback()
        other.close()
    with runtime.engine.connect() as conn:
        other = sqlite3.connect(runtime.engine.url.database or "", timeout=0.1)
        conn.execute(text("SELECT 1"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # writes still take the lock at once
        other.close()


def test_purge_deletes_the_derived_plate_rows(runtime: Runtime, clock: FixedClock) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("OLD0001"), new_read("OLD0001")])
    clock.advance(days=91)
    ingest_reads(runtime, CAMERA_FEED, [new_read("NEW0001", captured_at=clock.now())])
    assert purge.purge(runtime, CUSTODIAN).reads_purged == 2
    with runtime.engine.connect() as conn:
        assert list(conn.scalars(select(plates.c.plate))) == ["NEW0001"]
        assert set(conn.scalars(select(read_plates.c.plate))) == {"NEW0007"}
        grams = plate_gram_lists if conn.dialect.name == "postgresql" else plate_grams
        assert set(conn.scalars(select(grams.c.plate))) == {"NEW0001"}


def test_plate_searches_page_through_their_keys_in_order(runtime: Runtime) -> None:
    reads = [new_read(f"PG{n}123", captured_at=T0 - timedelta(hours=n)) for n in range(5)]
    reads += [new_read("PG9123"), new_read("PG91Z3", alternatives=(Alternative("PG9123", 0.2),))]
    ingest_reads(runtime, CAMERA_FEED, reads)
    for plate, ocr in (("PG?1*", False), ("PG9I23", True)):
        seen, cursor = [], None
        while True:
            query = SearchQuery(
                "major_crime", "26-9", plate=plate, ocr_equivalent=ocr, limit=1, after=cursor
            )
            page = search_reads(runtime, DETECTIVE, query)
            assert len(page.reads) <= 1
            seen += [(r.captured_at, r.id) for r in page.reads]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == sorted(seen) and len(set(seen)) == len(seen)
        expected = 7 if not ocr else 2  # all seven fit PG?1*; PG9123 and its misread
        assert len(seen) == expected, plate


def test_a_purge_by_rows_unfiles_every_alternative_of_its_reads_only(
    runtime: Runtime, clock: FixedClock
) -> None:
    """Reads deleted one by one (the day of the cutoff, both databases) lose their read_plates
    rows by key: also one filed under an alternative the current rule would not file (as an
    older rule did), and no row of a read that stays."""
    guesses = (Alternative("OLD0008", 0.2), Alternative("OLD0009", SEARCHABLE_ALTERNATIVE / 2))
    early, late = (T0 - timedelta(hours=2), T0 - timedelta(minutes=30))
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [
            new_read("OLD0001", captured_at=early, alternatives=guesses),
            new_read("OLD0002", captured_at=late, alternatives=guesses),
        ],
    )
    with runtime.engine.begin() as conn:
        ids = dict(conn.execute(text("SELECT plate, id FROM reads")).all())
        older_rule = {"plate": "OLD0009", "captured_at": early, "read_id": ids["OLD0001"]}
        conn.execute(read_plates.insert().values(older_rule))
    clock.advance(days=90, hours=-1)  # the cutoff falls between the two reads, on their day
    assert purge.purge(runtime, CUSTODIAN).reads_purged == 1
    with runtime.engine.connect() as conn:
        left = conn.execute(select(read_plates.c.plate, read_plates.c.read_id)).all()
    assert sorted(left) == [("OLD0008", ids["OLD0002"])]
