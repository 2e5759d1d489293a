"""Camera maintenance records: recorded by administrators, read by auditors, overdue listed."""

from datetime import datetime, timedelta

import pytest
from tests.factories import CUSTODIAN, OFFICER, T0, FixedClock, actor

from platewarden.accountability import MaintenanceKind
from platewarden.domain import Actor, CameraKind, CameraStatus
from platewarden.policy.access import Role
from platewarden.services import cameras
from platewarden.services.errors import AccessDeniedError, InvalidInputError, NotFoundError
from platewarden.services.maintenance import (
    add_maintenance,
    list_maintenance,
    overdue_calibrations,
)
from platewarden.services.runtime import Runtime
from platewarden.store.audit import audit_entries

ADMIN = actor(Role.ADMINISTRATOR, name="admin")
AUDITOR = actor(Role.AUDITOR, name="auditor")


def calibrate(
    rt: Runtime, camera: str = "cam-1", days_ago: int = 0, next_due: datetime | None = None
) -> None:
    add_maintenance(
        rt,
        ADMIN,
        camera=camera,
        kind=MaintenanceKind.CALIBRATION,
        done_on=T0 - timedelta(days=days_ago),
        performed_by="Tech",
        next_due=next_due,
    )


def test_a_record_is_kept_with_who_recorded_it_and_audited(runtime: Runtime) -> None:
    added = add_maintenance(
        runtime,
        ADMIN,
        camera="cam-1",
        kind="repair",
        done_on=T0 - timedelta(days=1),
        performed_by=" Acme Signals ",
        notes="replaced the IR lamp",
    )
    assert (added.camera, added.kind, added.performed_by) == ("cam-1", "repair", "Acme Signals")
    assert (added.recorded_by, added.recorded_at, added.next_due) == ("admin", T0, None)
    assert list_maintenance(runtime, AUDITOR, camera="cam-1") == [added]
    with runtime.engine.connect() as conn:
        (entry,) = [e for _, e in audit_entries(conn, action="add_maintenance")]
    assert entry.actor == "admin"
    assert entry.parameters == {"camera": "cam-1", "kind": "repair", "record": added.id}


def test_records_list_newest_work_first(runtime: Runtime) -> None:
    calibrate(runtime, days_ago=30, next_due=T0 + timedelta(days=10))
    add_maintenance(
        runtime, ADMIN, camera="cam-1", kind="cleaning", done_on=T0, performed_by="Tech"
    )
    kinds = [r.kind for r in list_maintenance(runtime, ADMIN, camera="cam-1")]
    assert kinds == ["cleaning", "calibration"]


def test_a_calibration_without_due_date_takes_the_previous_interval(runtime: Runtime) -> None:
    calibrate(runtime, days_ago=200, next_due=T0 - timedelta(days=20))  # a 180-day interval
    calibrate(runtime, days_ago=10)
    latest = list_maintenance(runtime, ADMIN, camera="cam-1")[0]
    assert latest.next_due == T0 - timedelta(days=10) + timedelta(days=180)


def test_a_first_calibration_needs_a_due_date(runtime: Runtime) -> None:
    with pytest.raises(InvalidInputError, match="next_due: is required"):
        calibrate(runtime)


def test_bad_input_names_every_field(runtime: Runtime) -> None:
    with pytest.raises(InvalidInputError) as raised:
        add_maintenance(
            runtime,
            ADMIN,
            camera="cam-9",
            kind="polishing",
            done_on=T0 + timedelta(days=1),
            performed_by=" ",
            next_due=T0,
        )
    assert [p.where for p in raised.value.problems] == [
        "camera",
        "kind",
        "done_on",
        "performed_by",
        "next_due",
    ]
    assert "must be after the date" in str(raised.value)


def test_overdue_lists_past_due_and_never_calibrated_cameras_in_service(
    runtime: Runtime, clock: FixedClock
) -> None:
    for name in ("cam-2", "cam-3", "cam-4"):
        cameras.add_camera(runtime, CUSTODIAN, name=name, kind=CameraKind.FIXED)
    calibrate(runtime, "cam-1", days_ago=100, next_due=T0 + timedelta(days=5))
    calibrate(runtime, "cam-2", days_ago=400, next_due=T0 - timedelta(days=35))
    calibrate(runtime, "cam-2", days_ago=10)  # recalibrated: due again in a year
    cameras.set_camera_status(runtime, CUSTODIAN, name="cam-3", status=CameraStatus.RETIRED)
    assert [(d.camera, d.last_calibrated) for d in overdue_calibrations(runtime, AUDITOR)] == [
        ("cam-4", None)
    ]

    clock.advance(days=6)
    due = overdue_calibrations(runtime, ADMIN)
    assert [(d.camera, d.next_due) for d in due] == [
        ("cam-1", T0 + timedelta(days=5)),
        ("cam-4", None),
    ]


def test_only_administrators_record_and_officers_read_nothing(runtime: Runtime) -> None:
    with pytest.raises(AccessDeniedError, match="maintain_cameras needs one of the roles admin"):
        add_maintenance(
            runtime, AUDITOR, camera="cam-1", kind="cleaning", done_on=T0, performed_by="x"
        )
    with pytest.raises(AccessDeniedError):
        list_maintenance(runtime, OFFICER, camera="cam-1")
    with pytest.raises(AccessDeniedError):
        overdue_calibrations(runtime, OFFICER)
    with runtime.engine.connect() as conn:
        outcomes = [e.outcome for _, e in audit_entries(conn) if e.actor in {"auditor", "officer"}]
    assert outcomes == ["denied"] * 3


def test_listing_an_unknown_camera_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(NotFoundError, match="no camera 'nope'"):
        list_maintenance(runtime, ADMIN, camera="nope")


def test_an_auditor_without_current_training_is_told_so(runtime: Runtime) -> None:
    lapsed = Actor("auditor", frozenset(), untrained=((Role.AUDITOR, "course expired"),))
    with pytest.raises(AccessDeniedError, match="view_audit needs current training"):
        overdue_calibrations(runtime, lapsed)
