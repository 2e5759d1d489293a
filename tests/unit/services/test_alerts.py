"""Alerts: raised at ingest, folded, and confirmed only by eye and by other means (426.4 f)."""

from datetime import timedelta

import pytest
from tests.factories import CAMERA_FEED, CUSTODIAN, OFFICER, FixedClock, actor, new_read

from platewarden.domain import AlertStatus, Outcome, RejectReason
from platewarden.policy.access import Role
from platewarden.services import alerts, hotlists, purge
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime


@pytest.fixture
def alert_id(runtime: Runtime) -> int:
    data = b"LIC,LIS,TYP\nSTL4411,MT,stolen vehicle\n"
    hotlists.import_hotlist(runtime, CUSTODIAN, source="ncic", data=data)
    result = ingest_reads(
        runtime,
        CAMERA_FEED,
        [new_read("STL4411", captured_at=runtime.clock.now(), with_images=True)],
    )
    (raised,) = result.alerts
    return raised


def test_the_officer_sees_the_captured_image_beside_the_entry(
    runtime: Runtime, alert_id: int
) -> None:
    view = alerts.view_alert(runtime, OFFICER, alert_id=alert_id)
    assert view.alert.status == AlertStatus.VIEWED
    assert view.entry is not None and view.entry.plate == "STL4411"
    assert view.crop_image is not None and view.crop_image.startswith(b"\x89PNG")
    assert view.frame_image is not None


def test_confirmed_needs_the_visual_check_first_then_other_means(
    runtime: Runtime, alert_id: int
) -> None:
    with pytest.raises(
        InvalidInputError, match="compare the captured plate image with the read first"
    ):
        alerts.confirm_by_other_means(
            runtime, OFFICER, alert_id=alert_id, how="NCIC", answer="still stolen"
        )
    alerts.view_alert(runtime, OFFICER, alert_id=alert_id)
    visual = alerts.confirm_visually(runtime, OFFICER, alert_id=alert_id)
    assert visual.status == AlertStatus.VISUALLY_CONFIRMED
    with pytest.raises(InvalidInputError, match="how: is required"):
        alerts.confirm_by_other_means(runtime, OFFICER, alert_id=alert_id, how="", answer="x")
    confirmed = alerts.confirm_by_other_means(
        runtime,
        OFFICER,
        alert_id=alert_id,
        how="dispatch re-check",
        answer="NCIC hit valid, VIN matches",
    )
    assert confirmed.status == AlertStatus.CONFIRMED
    done = alerts.record_outcome(
        runtime, OFFICER, alert_id=alert_id, outcome=Outcome.VEHICLE_RECOVERED
    )
    assert done.outcome == Outcome.VEHICLE_RECOVERED
    assert [e.event for e in done.events] == [
        "viewed",
        "visual_confirmation",
        "other_confirmation",
        "outcome",
    ]
    assert all(e.actor == "officer" for e in done.events)


def test_a_rejected_hit_keeps_its_reason_and_takes_no_outcome(
    runtime: Runtime, alert_id: int
) -> None:
    rejected = alerts.reject(
        runtime, OFFICER, alert_id=alert_id, reason=RejectReason.MISREAD, note="3 read as 8"
    )
    assert rejected.status == AlertStatus.REJECTED
    assert rejected.events[-1].detail == {"reason": "misread", "note": "3 read as 8"}
    with pytest.raises(InvalidInputError, match="only for a confirmed hit"):
        alerts.record_outcome(runtime, OFFICER, alert_id=alert_id, outcome=Outcome.ARREST)
    with pytest.raises(InvalidInputError, match="only an open alert can be rejected"):
        alerts.reject(runtime, OFFICER, alert_id=alert_id, reason=RejectReason.DUPLICATE)


def test_other_as_a_reason_needs_a_note(runtime: Runtime, alert_id: int) -> None:
    with pytest.raises(InvalidInputError, match="say why"):
        alerts.reject(runtime, OFFICER, alert_id=alert_id, reason=RejectReason.OTHER)


def test_the_same_plate_again_within_the_window_is_folded(
    runtime: Runtime, clock: FixedClock, alert_id: int
) -> None:
    clock.advance(minutes=4)
    again = ingest_reads(runtime, CAMERA_FEED, [new_read("STL4411", captured_at=clock.now())])
    assert again.alerts == []
    clock.advance(minutes=30)
    later = ingest_reads(runtime, CAMERA_FEED, [new_read("STL4411", captured_at=clock.now())])
    assert len(later.alerts) == 1
    (newest, first) = alerts.list_alerts(runtime, OFFICER)
    assert (first.id, first.hit_count, newest.hit_count) == (alert_id, 2, 1)


def test_purge_keeps_the_alert_and_its_outcome_but_not_the_plate(
    runtime: Runtime, clock: FixedClock, alert_id: int
) -> None:
    alerts.view_alert(runtime, OFFICER, alert_id=alert_id)
    alerts.confirm_visually(runtime, OFFICER, alert_id=alert_id)
    alerts.confirm_by_other_means(runtime, OFFICER, alert_id=alert_id, how="NCIC", answer="valid")
    alerts.record_outcome(runtime, OFFICER, alert_id=alert_id, outcome=Outcome.ARREST)
    clock.advance(days=91)
    purge.purge(runtime, CUSTODIAN)
    (kept,) = alerts.list_alerts(runtime, OFFICER)
    assert (kept.id, kept.plate, kept.read_id, kept.outcome) == (
        alert_id,
        None,
        None,
        Outcome.ARREST,
    )


def test_an_auditor_may_not_confirm(runtime: Runtime, alert_id: int) -> None:
    with pytest.raises(AccessDeniedError, match="handle_alerts"):
        alerts.confirm_visually(runtime, actor(Role.AUDITOR), alert_id=alert_id)


def test_an_expired_manual_entry_stops_alerting(runtime: Runtime, clock: FixedClock) -> None:
    hotlists.add_entry(
        runtime,
        CUSTODIAN,
        plate="EXP123",
        purpose="major_crime",
        case_number="26-5",
        expires_at=clock.now() + timedelta(days=1),
    )
    clock.advance(days=2)
    assert (
        ingest_reads(runtime, CAMERA_FEED, [new_read("EXP123", captured_at=clock.now())]).alerts
        == []
    )


def test_a_visual_confirmation_needs_this_member_to_have_viewed_the_images(
    runtime: Runtime, alert_id: int
) -> None:
    other = actor(Role.OFFICER, name="ofc.two")
    alerts.view_alert(runtime, other, alert_id=alert_id)
    with pytest.raises(InvalidInputError, match="view the alert's images first"):
        alerts.confirm_visually(runtime, OFFICER, alert_id=alert_id)  # someone else looked
    alerts.view_alert(runtime, OFFICER, alert_id=alert_id)
    assert alerts.confirm_visually(runtime, OFFICER, alert_id=alert_id).status == (
        AlertStatus.VISUALLY_CONFIRMED
    )


def test_an_earlier_sighting_outside_the_window_is_not_folded_into_a_later_alert(
    runtime: Runtime, clock: FixedClock, alert_id: int
) -> None:
    (first,) = alerts.list_alerts(runtime, OFFICER)
    # Tried: reads captured 5 days and 12 hours before the open alert, arriving now.
    for earlier in (timedelta(days=5), timedelta(hours=12)):
        old = new_read("STL4411", captured_at=first.last_hit_at - earlier)
        assert len(ingest_reads(runtime, CAMERA_FEED, [old]).alerts) == 1
    alert, *late = sorted(alerts.list_alerts(runtime, OFFICER), key=lambda a: a.id)
    assert (alert.id, alert.hit_count, alert.late) == (alert_id, 1, False)
    assert alert.first_hit_at == alert.last_hit_at == first.last_hit_at  # never moved back
    assert [a.late for a in late] == [True, True]  # seen long before they arrived


def test_a_read_just_before_an_alerts_first_read_folds_without_moving_its_last_time(
    runtime: Runtime, clock: FixedClock, alert_id: int
) -> None:
    (first,) = alerts.list_alerts(runtime, OFFICER)
    before = new_read("STL4411", captured_at=first.first_hit_at - timedelta(minutes=3))
    assert ingest_reads(runtime, CAMERA_FEED, [before]).alerts == []
    (folded,) = alerts.list_alerts(runtime, OFFICER)
    assert folded.hit_count == 2
    assert folded.first_hit_at == first.first_hit_at - timedelta(minutes=3)
    assert folded.last_hit_at == first.last_hit_at
