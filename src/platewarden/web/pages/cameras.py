"""The administrator's cameras: status and silence, devices and their tokens, maintenance and
calibration records, and calibrations overdue."""

from typing import Annotated, Any

from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse

from platewarden.accountability import MaintenanceKind
from platewarden.api.deps import RuntimeDep
from platewarden.domain import Actor, CameraKind, CameraStatus
from platewarden.services import cameras, devices, maintenance
from platewarden.services.cameras import CameraState
from platewarden.services.errors import NotFoundError
from platewarden.services.runtime import Runtime
from platewarden.web.admin_fields import local_day, number
from platewarden.web.render import console_router, render
from platewarden.web.session import Member

router = console_router()

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Name = Annotated[str, Form(min_length=1, max_length=100)]
Short = Annotated[str, Form(max_length=100)]
Text = Annotated[str, Form(max_length=2000)]
Day = Annotated[str, Form(max_length=10)]


@router.get("/cameras", response_class=HTMLResponse)
def list_page(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """Every camera with whether it is heard from, devices, and calibrations overdue."""
    return _list(request, rt, actor)


@router.post("/cameras", response_class=HTMLResponse)
def add(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    name: Name,
    kind: Annotated[CameraKind, Form()],
    location: Annotated[str, Form(max_length=200)] = "",
    latitude: Short = "",
    longitude: Short = "",
    heading: Short = "",
) -> HTMLResponse:
    """Register a camera, with its position when given."""
    added = cameras.add_camera(
        rt,
        actor,
        name=name,
        kind=kind,
        location=location.strip() or None,
        latitude=number(latitude, "latitude"),
        longitude=number(longitude, "longitude"),
        heading=number(heading, "heading"),
    )
    return _list(request, rt, actor, note=f"Camera {added.name} is added.")


@router.post("/cameras/devices", response_class=HTMLResponse)
def add_device(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    name: Name,
    camera: Short = "",
    source: Short = "",
) -> HTMLResponse:
    """Register a device for a camera or a source; its token is shown this once."""
    device, token = devices.add_device(
        rt, actor, name=name, camera=camera.strip() or None, source=source.strip() or None
    )
    return _list(request, rt, actor, new_device=device, token=token)


@router.post("/cameras/devices/{device_id}/revocation", response_class=HTMLResponse)
def revoke_device(request: Request, rt: RuntimeDep, actor: Member, device_id: Id) -> HTMLResponse:
    """Revoke a device's token: it is refused from now on."""
    found = next((d for d in devices.list_devices(rt, actor) if d.id == device_id), None)
    if found is None:
        raise NotFoundError(f"there is no device {device_id}")
    devices.revoke_device(rt, actor, name=found.name)
    return _list(request, rt, actor, note=f"The token of device {found.name} is revoked.")


@router.get("/cameras/{camera_id}", response_class=HTMLResponse)
def show(request: Request, rt: RuntimeDep, actor: Member, camera_id: Id) -> HTMLResponse:
    """One camera: its status, and its maintenance and calibration records."""
    return _camera(request, rt, actor, _find(rt, actor, camera_id))


@router.post("/cameras/{camera_id}/status", response_class=HTMLResponse)
def set_status(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    camera_id: Id,
    status: Annotated[CameraStatus, Form()],
) -> HTMLResponse:
    """Put the camera in or out of service, or retire it."""
    camera = _find(rt, actor, camera_id)
    cameras.set_camera_status(rt, actor, name=camera.name, status=status)
    note = f"Camera {camera.name} is now {status.value.replace('_', ' ')}."
    return _camera(request, rt, actor, _find(rt, actor, camera_id), note=note)


@router.post("/cameras/{camera_id}/placement", response_class=HTMLResponse)
def move(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    camera_id: Id,
    location: Annotated[str, Form(max_length=200)] = "",
    latitude: Short = "",
    longitude: Short = "",
    heading: Short = "",
) -> HTMLResponse:
    """Change where the camera stands or faces; empty fields keep what is on record."""
    camera = _find(rt, actor, camera_id)
    cameras.edit_camera(
        rt,
        actor,
        name=camera.name,
        location=location.strip() or None,
        latitude=number(latitude, "latitude"),
        longitude=number(longitude, "longitude"),
        heading=number(heading, "heading"),
    )
    note = f"Camera {camera.name}'s placement is changed."
    return _camera(request, rt, actor, _find(rt, actor, camera_id), note=note)


@router.post("/cameras/{camera_id}/maintenance", response_class=HTMLResponse)
def add_maintenance(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    camera_id: Id,
    kind: Annotated[MaintenanceKind, Form()],
    done_on: Annotated[str, Form(min_length=1, max_length=10)],
    performed_by: Name,
    notes: Text = "",
    next_due: Day = "",
) -> HTMLResponse:
    """Record maintenance or a calibration done to the camera."""
    camera = _find(rt, actor, camera_id)
    maintenance.add_maintenance(
        rt,
        actor,
        camera=camera.name,
        kind=kind,
        done_on=local_day(done_on, "done on") or rt.clock.now(),
        performed_by=performed_by,
        notes=notes,
        next_due=local_day(next_due, "next due"),
    )
    note = f"The {kind.value} is recorded."
    return _camera(request, rt, actor, camera, note=note)


def _find(rt: Runtime, actor: Actor, camera_id: int) -> CameraState:
    found = next((c for c in cameras.list_cameras(rt, actor) if c.id == camera_id), None)
    if found is None:
        raise NotFoundError(f"there is no camera {camera_id}")
    return found


def _list(request: Request, rt: Runtime, actor: Actor, **context: Any) -> HTMLResponse:
    return render(
        request,
        "cameras/list.html",
        actor=actor,
        cameras=cameras.list_cameras(rt, actor),
        devices=devices.list_devices(rt, actor),
        overdue=maintenance.overdue_calibrations(rt, actor),
        kinds=list(CameraKind),
        offline_minutes=rt.policy.cameras.offline_after_minutes,
        **context,
    )


def _camera(
    request: Request, rt: Runtime, actor: Actor, camera: CameraState, *, note: str | None = None
) -> HTMLResponse:
    return render(
        request,
        "cameras/camera.html",
        actor=actor,
        camera=camera,
        records=maintenance.list_maintenance(rt, actor, camera=camera.name),
        statuses=list(CameraStatus),
        kinds=list(MaintenanceKind),
        note=note,
    )
