"""Hot lists: loads are versions, truncated loads are refused, stale lists are flagged."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.factories import CAMERA_FEED, CUSTODIAN, OFFICER, T0, FixedClock, actor, new_read

from platewarden.domain import ReadSource
from platewarden.policy.access import Role
from platewarden.services import hotlists
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store.alerts import get_alert
from platewarden.store.schema import audit_log

HEADER = "LIC,LIS,TYP,NIC,ORI,EXP\n"
ADMIN = CUSTODIAN  # holds the administrator role


def feed(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def stolen(plate: str, state: str = "MT") -> str:
    return f"{plate},{state},stolen vehicle,V{plate},MT0250000,"


def alert_for(rt: Runtime, read_plate: str, **kw: object):
    result = ingest_reads(rt, CAMERA_FEED, [new_read(read_plate, captured_at=rt.clock.now(), **kw)])
    with rt.engine.connect() as conn:
        return [get_alert(conn, alert_id=a) for a in result.alerts]


def test_a_load_is_a_version_and_an_exact_hit_points_at_it(runtime: Runtime) -> None:
    load = hotlists.import_hotlist(runtime, ADMIN, source="ncic", data=feed(stolen("ABC1234")))
    assert (load.version.entry_count, load.skipped) == (1, [])
    (alert,) = alert_for(runtime, "ABC1234")
    assert (alert.kind, alert.version_id, alert.stale) == ("exact", load.version.id, False)


def test_a_3_read_as_a_7_is_not_a_hit_but_8_for_b_is(runtime: Runtime) -> None:
    hotlists.import_hotlist(
        runtime, ADMIN, source="ncic", data=feed(stolen("ABC1233"), stolen("BBC1234"))
    )
    assert alert_for(runtime, "ABC1237") == []
    (alert,) = alert_for(runtime, "8BC1234")
    assert alert.kind == "ocr_equivalent"
    (exact,) = alert_for(runtime, "BBC1234", client_read_id="later")
    assert alert.score < exact.score or exact.hit_count == 1


def test_another_states_plate_still_alerts_and_says_so(runtime: Runtime) -> None:
    hotlists.import_hotlist(runtime, ADMIN, source="ncic", data=feed(stolen("KXT442", "CO")))
    (alert,) = alert_for(runtime, "KXT442", jurisdiction="WY")
    assert alert.jurisdiction_mismatch
    assert "CO" in alert.explanation and "WY" in alert.explanation


def test_a_stale_list_is_flagged_on_its_alerts_and_in_status(
    runtime: Runtime, clock: FixedClock
) -> None:
    hotlists.import_hotlist(runtime, ADMIN, source="ncic", data=feed(stolen("OLD1234")))
    clock.advance(hours=25)
    (alert,) = alert_for(runtime, "OLD1234")
    assert alert.stale
    (ncic, manual) = hotlists.status(runtime, ADMIN)
    assert (ncic.source, ncic.stale, manual.source) == ("ncic", True, "manual")


def test_a_recovered_vehicle_dropped_by_the_next_load_no_longer_alerts(runtime: Runtime) -> None:
    hotlists.import_hotlist(
        runtime, ADMIN, source="ncic", data=feed(stolen("REC1234"), stolen("KEEP123"))
    )
    hotlists.import_hotlist(runtime, ADMIN, source="ncic", data=feed(stolen("KEEP123")))
    assert alert_for(runtime, "REC1234") == []
    assert len(alert_for(runtime, "KEEP123")) == 1


def test_empty_or_halved_lists_are_refused_unless_forced(runtime: Runtime) -> None:
    hotlists.import_hotlist(
        runtime, ADMIN, source="ncic", data=feed(*(stolen(f"AAA{n:03d}") for n in range(10)))
    )
    with pytest.raises(InvalidInputError, match="the new list is empty"):
        hotlists.import_hotlist(runtime, ADMIN, source="ncic", data=HEADER.encode())
    with pytest.raises(InvalidInputError, match="has 4 entries where version 1 has 10"):
        hotlists.import_hotlist(
            runtime, ADMIN, source="ncic", data=feed(*(stolen(f"AAA{n:03d}") for n in range(4)))
        )
    forced = hotlists.import_hotlist(
        runtime, ADMIN, source="ncic", data=feed(stolen("AAA000")), force=True
    )
    assert forced.version.forced and forced.version.entry_count == 1


def test_bad_rows_are_reported_by_line_and_skipped(runtime: Runtime) -> None:
    load = hotlists.import_hotlist(
        runtime,
        ADMIN,
        source="state",
        data=feed(
            stolen("GOOD123"),
            "B@D!,MT,stolen vehicle,,,",
            "XYZ123,MT,ufo sighting,,,",
            "QRS123,MT,warrant,,,2026-13-45",
        ),
    )
    assert load.version.entry_count == 1
    assert [(p.where, p.message.split(" (")[0]) for p in load.skipped] == [
        ("line 3", "plate 'B@D!' must have 1–10 letters or digits"),
        ("line 4", "unknown record type 'ufo sighting'"),
        ("line 5", "expires date '2026-13-45' is not YYYY-MM-DD or YYYYMMDD"),
    ]


def test_a_failed_refresh_keeps_the_last_good_version_and_tells_the_administrator(
    runtime: Runtime, tmp_path: Path
) -> None:
    source = tmp_path / "ncic.csv"
    source.write_bytes(feed(stolen("ABC1234"), stolen("DEF5678")))
    runtime.settings = runtime.settings.__class__(
        **{**runtime.settings.__dict__, "hotlist_sources": (("ncic", str(source)),)}
    )
    assert hotlists.refresh(runtime, ADMIN) == [("ncic", "version 1: 2 entries")]
    source.write_bytes(feed(stolen("ABC1234"))[:-30])  # a truncated download
    ((_, second),) = hotlists.refresh(runtime, ADMIN)
    assert "refresh failed, the last good version stays in use" in second
    source.unlink()
    hotlists.refresh(runtime, ADMIN)
    assert len(alert_for(runtime, "DEF5678")) == 1
    ((_, kind, subject, message), *_) = hotlists.notices(runtime, ADMIN)
    assert (kind, subject) == ("hotlist_refresh_failed", "ncic")
    assert "ncic.csv" in message


def test_manual_partial_plate_with_wildcards_finds_reads_already_kept(runtime: Runtime) -> None:
    ingest_reads(
        runtime, CAMERA_FEED, [new_read("7KQ4411"), new_read("7KQ9911"), new_read("8ZZ0000")]
    )
    entry, historical = hotlists.add_entry(
        runtime,
        ADMIN,
        plate="7KQ*11",
        purpose="major_crime",
        case_number="26-0417",
        notes="witness saw 7KQ ... 11 leaving the shooting",
    )
    assert entry.is_pattern and entry.expires_at == T0 + timedelta(days=30)
    assert len(historical) == 2
    with runtime.engine.connect() as conn:
        assert all(get_alert(conn, alert_id=a).historical for a in historical)
    (fresh,) = alert_for(runtime, "7KQ5511")
    assert fresh.kind == "wildcard" and not fresh.historical


@pytest.mark.parametrize(
    ("plate", "purpose", "case", "message"),
    [
        ("*", "major_crime", "26-1", "plate"),
        ("A?*", "major_crime", "26-1", "plate"),
        ("ABC123", "", "26-1", "a purpose of use is required"),
        ("ABC123", "major_crime", "", "a case number is required"),
        ("AB$12", "major_crime", "26-1", "plate"),
    ],
)
def test_manual_entries_need_a_valid_plate_a_purpose_and_a_case(
    runtime: Runtime, plate: str, purpose: str, case: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        hotlists.add_entry(runtime, ADMIN, plate=plate, purpose=purpose, case_number=case)


def test_confidential_entry_details_need_the_grant(runtime: Runtime) -> None:
    entry, _ = hotlists.add_entry(
        runtime,
        ADMIN,
        plate="SEC123",
        purpose="investigative_surveillance",
        case_number="26-9001",
        notes="informant vehicle",
        confidential=True,
    )
    shown = hotlists.show_entry(runtime, OFFICER, entry_id=entry.id)
    assert shown.case_number is None and "informant" not in (shown.notes or "")
    cleared = actor(Role.OFFICER, name="cleared")
    granted = hotlists.show_entry(
        runtime,
        cleared.__class__(cleared.name, cleared.roles, confidential_access=True),
        entry_id=entry.id,
    )
    assert granted.notes == "informant vehicle"


def test_only_administrators_load_lists(runtime: Runtime) -> None:
    with pytest.raises(AccessDeniedError, match="manage_hotlists"):
        hotlists.import_hotlist(runtime, OFFICER, source="ncic", data=feed(stolen("ABC123")))


def test_imported_reads_are_matched_too(runtime: Runtime) -> None:
    hotlists.import_hotlist(runtime, ADMIN, source="ncic", data=feed(stolen("IMP1234")))
    read = new_read(
        "IMP1234",
        camera=None,
        source=ReadSource.AGENCY,
        source_name="county",
        captured_at=runtime.clock.now(),
    )
    assert len(ingest_reads(runtime, CAMERA_FEED, [read]).alerts) == 1


def test_a_refused_load_is_in_the_audit_trail_with_why(runtime: Runtime) -> None:
    # Tried: a file that is not UTF-8 text, and one with no valid entry.
    for data in (b"\xff\xfe\x00 not text", b"LIC,LIS,TYP\nBAD#1,MT,stolen vehicle\n"):
        with pytest.raises(InvalidInputError):
            hotlists.import_hotlist(runtime, CUSTODIAN, source="ncic", data=data)
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.outcome, audit_log.c.reason).where(
                audit_log.c.action == "load_hotlist"
            )
        ).all()
    assert [(r.action, r.outcome) for r in rows] == [("load_hotlist", "failed")] * 2
    assert "UTF-8" in rows[0].reason


def test_an_officer_sees_the_lists_status_but_not_the_administrators_notices(
    runtime: Runtime,
) -> None:
    data = b"LIC,LIS,TYP\nSTL1,MT,stolen vehicle\n"
    hotlists.import_hotlist(runtime, CUSTODIAN, source="ncic", data=data)
    assert [s.source for s in hotlists.status(runtime, OFFICER)] == ["ncic", "manual"]
    with pytest.raises(AccessDeniedError):
        hotlists.notices(runtime, OFFICER)
