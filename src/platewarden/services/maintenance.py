"""Camera maintenance and calibration records (policy 426.6 d), and calibrations overdue.

Administrators record the work (Action.MAINTAIN_CAMERAS). Reading the records is allowed to them and
to those who audit the system (Action.VIEW_AUDIT: supervisors and auditors), since the records are
part of what an audit looks at.
"""

from datetime import datetime

from sqlalchemy import Connection

from platewarden.accountability import CalibrationDue, MaintenanceKind, MaintenanceRecord
from platewarden.domain import Actor, Camera, CameraStatus
from platewarden.policy.access import Action, check_role
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem
from platewarden.services.runtime import Runtime
from platewarden.store import maintenance as store
from platewarden.store.cameras import get_camera


def add_maintenance(
    rt: Runtime,
    actor: Actor,
    *,
    camera: str,
    kind: MaintenanceKind | str,
    done_on: datetime,
    performed_by: str,
    notes: str | None = None,
    next_due: datetime | None = None,
) -> MaintenanceRecord:
    """Record maintenance done to a camera.

    A calibration without a next due date takes the interval of the camera's previous calibration;
    a camera's first calibration must give one, so that no calibration goes without a due date.
    """
    parameters = {"camera": camera, "kind": str(kind)}
    authorize(rt, actor, Action.MAINTAIN_CAMERAS, parameters=parameters)
    with rt.engine.begin() as conn:
        found = get_camera(conn, name=camera)
        problems = _problems(
            rt, found, kind=kind, done_on=done_on, performed_by=performed_by, next_due=next_due
        )
        if found is not None and kind == MaintenanceKind.CALIBRATION and next_due is None:
            next_due = _next_due_by_interval(conn, found, done_on)
            if next_due is None:
                problems.append(Problem("next_due", "is required for a camera's first calibration"))
        if problems:
            raise InvalidInputError(f"maintenance of camera {camera!r} not recorded:", problems)
        assert found is not None
        added = store.add_maintenance(
            conn,
            camera_id=found.id,
            done_on=done_on,
            kind=MaintenanceKind(kind),
            performed_by=performed_by.strip(),
            notes=notes.strip() if notes and notes.strip() else None,
            next_due=next_due,
            recorded_by=actor.name,
            recorded_at=rt.clock.now(),
        )
        record(conn, rt, actor, "add_maintenance", parameters={**parameters, "record": added.id})
    return added


def list_maintenance(
    rt: Runtime, actor: Actor, *, camera: str | None = None
) -> list[MaintenanceRecord]:
    """Return a camera's maintenance records (every camera's when None), newest work first."""
    _authorize_reading(rt, actor, {"camera": camera})
    with rt.engine.begin() as conn:
        camera_id = None
        if camera is not None:
            found = get_camera(conn, name=camera)
            if found is None:
                raise NotFoundError(f"there is no camera {camera!r}")
            camera_id = found.id
        records = store.list_maintenance(conn, camera_id=camera_id)
        record(
            conn,
            rt,
            actor,
            "list_maintenance",
            parameters={"camera": camera},
            result_count=len(records),
        )
    return records


def overdue_calibrations(rt: Runtime, actor: Actor) -> list[CalibrationDue]:
    """Return the cameras in service whose calibration is past due or which were never calibrated.

    Only active cameras count: one out of service or retired reads nothing, and is listed again
    when it returns to service.
    """
    _authorize_reading(rt, actor, {})
    now = rt.clock.now()
    with rt.engine.begin() as conn:
        latest = store.latest_calibrations(conn, statuses=(CameraStatus.ACTIVE.value,))
        due = [
            CalibrationDue(
                camera=name,
                last_calibrated=last.done_on if last else None,
                next_due=last.next_due if last else None,
            )
            for name, last in latest
            if last is None or (last.next_due is not None and last.next_due < now)
        ]
        record(conn, rt, actor, "list_overdue_calibrations", result_count=len(due))
    return due


def _authorize_reading(rt: Runtime, actor: Actor, parameters: dict[str, object]) -> None:
    """Let those who maintain the cameras, or audit the system, read the records."""
    # An auditor whose training lapsed is judged on VIEW_AUDIT, so the denial names the course.
    held = actor.roles | {role for role, _ in actor.untrained}
    audits = check_role(frozenset(held), Action.VIEW_AUDIT).allowed
    action = Action.VIEW_AUDIT if audits else Action.MAINTAIN_CAMERAS
    authorize(rt, actor, action, parameters=parameters)


def _problems(
    rt: Runtime,
    camera: Camera | None,
    *,
    kind: MaintenanceKind | str,
    done_on: datetime,
    performed_by: str,
    next_due: datetime | None,
) -> list[Problem]:
    problems = []
    if camera is None:
        problems.append(Problem("camera", "there is no camera with this name"))
    if kind not in set(MaintenanceKind):
        kinds = ", ".join(MaintenanceKind)
        problems.append(Problem("kind", f"{kind!r} is not one of {kinds}"))
    if done_on > rt.clock.now():
        problems.append(Problem("done_on", "is in the future; record work once it is done"))
    if not performed_by.strip() or len(performed_by) > 100:
        problems.append(Problem("performed_by", "must be 1–100 characters"))
    if next_due is not None and next_due <= done_on:
        problems.append(Problem("next_due", "must be after the date the work was done"))
    return problems


def _next_due_by_interval(conn: Connection, camera: Camera, done_on: datetime) -> datetime | None:
    """Return the next due date at the interval of the previous calibration, or None."""
    previous = store.last_of_kind(conn, camera_id=camera.id, kind=MaintenanceKind.CALIBRATION)
    if previous is None or previous.next_due is None:
        return None
    return done_on + (previous.next_due - previous.done_on)
