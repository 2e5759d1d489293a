"""Holds keep reads past retention; purge removes the rest, their images and their day keys."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.factories import CAMERA_FEED, CUSTODIAN, OFFICER, T0, FixedClock, new_read

from platewarden.domain import HoldKind, PreservationRequest
from platewarden.selection import ReadSelection
from platewarden.services import holds, purge
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store.audit import audit_entries
from platewarden.store.blobs import BlobMissingError
from platewarden.store.reads import find_reads
from platewarden.store.schema import plates as plate_table

PRESERVATION = PreservationRequest(
    requesting_agency="Lewis and Clark County Sheriff",
    requesting_person="Det. R. Jones",
    camera_locations="Main St and 5th Ave",
    plate="ABC1234",
    time_frames="2026-06-01 10:00 to 14:00",
    facts="Vehicle seen leaving a burglary at 11:40; ongoing investigation 26-1187.",
)


def plates(rt: Runtime) -> list[str]:
    with rt.engine.connect() as conn:
        return [r.plate for r in find_reads(conn)]


def evidence_hold(rt: Runtime, plate: str = "ABC1234") -> int:
    hold = holds.create_hold(
        rt,
        CUSTODIAN,
        kind=HoldKind.EVIDENCE,
        purpose="major_crime",
        case_number="26-1187",
        reason="vehicle seen at a shooting",
        selection=ReadSelection(plates=(plate,)),
    )
    return hold.id


def test_purge_removes_expired_unheld_reads_and_keeps_held_ones(
    runtime: Runtime, clock: FixedClock
) -> None:
    old = [new_read("ABC1234", with_images=True), new_read("OLD0001", with_images=True)]
    ingest_reads(runtime, CAMERA_FEED, old)
    evidence_hold(runtime)
    clock.advance(days=89)
    ingest_reads(runtime, CAMERA_FEED, [new_read("NEW0001", captured_at=clock.now())])
    clock.advance(days=2)  # the first two reads are now 91 days old
    with runtime.engine.connect() as conn:
        (expired,) = [r for r in find_reads(conn) if r.plate == "OLD0001"]

    run = purge.purge(runtime, CUSTODIAN)

    assert (run.reads_purged, run.reads_kept_by_holds) == (1, 1)
    assert run.images_purged == 2
    assert run.cutoff == clock.now() - timedelta(days=90)
    assert plates(runtime) == ["ABC1234", "NEW0001"]
    with pytest.raises(BlobMissingError):
        runtime.blobs.get(expired.frame_blob)
    assert run.days_shredded == ()  # the held read still needs its day's key


def test_released_hold_lets_the_next_purge_shred_the_day(
    runtime: Runtime, clock: FixedClock
) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("ABC1234", with_images=True)])
    hold_id = evidence_hold(runtime)
    with runtime.engine.connect() as conn:
        (held,) = find_reads(conn)
    clock.advance(days=120)
    assert purge.purge(runtime, CUSTODIAN).reads_purged == 0
    holds.release_hold(runtime, CUSTODIAN, hold_id=hold_id, reason="case closed")

    run = purge.purge(runtime, CUSTODIAN)

    assert run.reads_purged == 1
    assert run.days_shredded == (T0.date().isoformat(),)
    assert plates(runtime) == []
    with pytest.raises(BlobMissingError):
        runtime.blobs.get(held.crop_blob)


def test_dry_run_counts_and_deletes_nothing(runtime: Runtime, clock: FixedClock) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("OLD1"), new_read("OLD2")])
    clock.advance(days=91)
    run = purge.purge(runtime, CUSTODIAN, dry_run=True)
    assert (run.dry_run, run.reads_purged) == (True, 2)
    assert plates(runtime) == ["OLD1", "OLD2"]


def test_purge_run_record_and_audit_hold_no_plate_data(runtime: Runtime, clock: FixedClock) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("SECRET1")])
    clock.advance(days=91)
    purge.purge(runtime, CUSTODIAN)
    (run,) = purge.list_runs(runtime, CUSTODIAN)
    assert "SECRET1" not in repr(run)
    with runtime.engine.connect() as conn:
        (audit,) = [e for _, e in audit_entries(conn, action="purge")]
    assert "SECRET1" not in repr(audit)
    assert audit.result_count == 1


def test_purge_in_small_batches_reports_progress(runtime: Runtime, clock: FixedClock) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read(f"P{i}") for i in range(7)])
    clock.advance(days=91)
    seen: list[tuple[int, int]] = []
    run = purge.purge(runtime, CUSTODIAN, batch_size=3, progress=lambda n, t: seen.append((n, t)))
    assert run.reads_purged == 7
    if runtime.engine.dialect.name == "postgresql":
        assert seen == [(7, 7)]  # the whole day goes with its partition
    else:
        assert seen == [(3, 7), (6, 7), (7, 7)]


def test_hold_by_area_and_window_selects_only_reads_inside(runtime: Runtime) -> None:
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [
            new_read("NEAR1", latitude=46.5900, longitude=-112.0300),
            new_read(
                "NEAR2", latitude=46.5905, longitude=-112.0305, captured_at=T0 - timedelta(hours=5)
            ),
            new_read("FAR1", latitude=46.70, longitude=-112.03),
        ],
    )
    hold = holds.create_hold(
        runtime,
        CUSTODIAN,
        kind=HoldKind.LAWFUL_ORDER,
        purpose="recent_crime_vicinity",
        case_number="26-2001",
        reason="search warrant SW-26-14",
        selection=ReadSelection(
            latitude=46.59,
            longitude=-112.03,
            radius_m=500,
            since=T0 - timedelta(hours=1),
            until=T0 + timedelta(hours=1),
        ),
    )
    assert hold.read_count == 1


def test_preservation_hold_needs_every_sworn_field(runtime: Runtime) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("ABC1234")])
    incomplete = PreservationRequest(**{**PRESERVATION.__dict__, "facts": " ", "plate": ""})
    with pytest.raises(InvalidInputError) as refused:
        holds.create_hold(
            runtime,
            CUSTODIAN,
            kind=HoldKind.PRESERVATION,
            purpose="wanted_person",
            case_number="MP-26-3",
            reason="missing person",
            selection=ReadSelection(plates=("ABC1234",)),
            preservation=incomplete,
        )
    assert [p.where for p in refused.value.problems] == ["preservation.plate", "preservation.facts"]
    hold = holds.create_hold(
        runtime,
        CUSTODIAN,
        kind=HoldKind.PRESERVATION,
        purpose="wanted_person",
        case_number="MP-26-3",
        reason="missing person",
        selection=ReadSelection(plates=("ABC1234",)),
        preservation=PRESERVATION,
    )
    assert holds.get_hold(runtime, CUSTODIAN, hold_id=hold.id).preservation == PRESERVATION


@pytest.mark.parametrize(
    ("purpose", "case_number", "message"),
    [
        (None, "26-1", "a purpose of use is required"),
        ("curiosity", "26-1", "unknown purpose 'curiosity'"),
        ("stolen_vehicle", "", "a case number is required"),
    ],
)
def test_hold_without_lawful_purpose_or_case_is_denied_and_audited(
    runtime: Runtime, purpose: str | None, case_number: str, message: str
) -> None:
    with pytest.raises(AccessDeniedError, match=message):
        holds.create_hold(
            runtime,
            CUSTODIAN,
            kind=HoldKind.EVIDENCE,
            purpose=purpose,  # type: ignore[arg-type]
            case_number=case_number,
            reason="x",
            selection=ReadSelection(plates=("A1",)),
        )
    with runtime.engine.connect() as conn:
        (entry,) = [e for _, e in audit_entries(conn) if e.outcome == "denied"]
    assert message in entry.reason


def test_hold_that_would_take_everything_is_refused(runtime: Runtime) -> None:
    with pytest.raises(InvalidInputError, match="a hold never takes all"):
        holds.create_hold(
            runtime,
            CUSTODIAN,
            kind=HoldKind.EVIDENCE,
            purpose="major_crime",
            case_number="26-9",
            reason="x",
            selection=ReadSelection(since=T0),
        )


def test_an_officer_may_not_place_holds(runtime: Runtime) -> None:
    with pytest.raises(AccessDeniedError, match="create_hold needs one of the roles"):
        holds.create_hold(
            runtime,
            OFFICER,
            kind=HoldKind.EVIDENCE,
            purpose="major_crime",
            case_number="26-9",
            reason="x",
            selection=ReadSelection(plates=("A1",)),
        )


def test_a_frame_shared_with_a_held_read_survives_the_purge(
    runtime: Runtime, clock: FixedClock
) -> None:
    both = new_read("ABC1234", with_images=True)
    other = new_read("ZZZ9999", with_images=True, frame_image=both.frame_image)  # same photo
    ingest_reads(runtime, CAMERA_FEED, [both, other])
    evidence_hold(runtime, plate="ABC1234")
    clock.advance(days=91)
    run = purge.purge(runtime, CUSTODIAN)
    assert (run.reads_purged, run.images_purged) == (1, 1)  # ZZZ9999's crop; the frame stays
    with runtime.engine.connect() as conn:
        (held,) = find_reads(conn)
    assert runtime.blobs.get(held.frame_blob) == both.frame_image


def test_a_plate_seen_again_stays_in_the_plate_index_after_its_first_day_is_purged(
    runtime: Runtime, clock: FixedClock
) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("AGAIN12"), new_read("ONCE123")])
    clock.advance(days=3)
    ingest_reads(runtime, CAMERA_FEED, [new_read("AGAIN12", captured_at=clock.now())])
    clock.advance(days=88)  # the first day is past retention, the second is not

    purge.purge(runtime, CUSTODIAN)

    with runtime.engine.connect() as conn:
        index = dict(conn.execute(select(plate_table.c.plate, plate_table.c.last_day)).all())
    assert index == {"AGAIN12": (T0 + timedelta(days=3)).date()}
