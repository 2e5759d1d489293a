"""Cameras: register and list the department's ALPR cameras."""

from dataclasses import dataclass, fields
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from platewarden.domain import Actor, Camera, CameraKind, CameraStatus
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem
from platewarden.services.runtime import Runtime
from platewarden.store import cameras as store


def add_camera(
    rt: Runtime,
    actor: Actor,
    *,
    name: str,
    kind: CameraKind,
    location: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    heading: float | None = None,
) -> Camera:
    """Register a camera."""
    authorize(rt, actor, Action.MANAGE_CAMERAS, parameters={"camera": name})
    problems = _placement_problems(latitude, longitude, heading)
    if not name.strip() or len(name) > 100:
        problems.insert(0, Problem("name", "must be 1–100 characters"))
    if problems:
        raise InvalidInputError(f"camera {name!r} not added:", problems)
    try:
        with rt.engine.begin() as conn:
            camera = store.add_camera(
                conn,
                name=name.strip(),
                kind=kind,
                created_at=rt.clock.now(),
                location=location,
                latitude=latitude,
                longitude=longitude,
                heading=heading,
            )
            record(conn, rt, actor, "add_camera", parameters={"camera": camera.name})
    except IntegrityError:
        raise InvalidInputError(
            f"camera {name!r} not added:", [Problem("name", "a camera with this name exists")]
        ) from None
    return camera


def _placement_problems(
    latitude: float | None, longitude: float | None, heading: float | None
) -> list[Problem]:
    """What is wrong with a camera's position and heading."""
    problems = []
    if heading is not None and not 0 <= heading < 360:
        problems.append(Problem("heading", "must be degrees from 0 to under 360"))
    if (latitude is None) != (longitude is None):
        problems.append(Problem("position", "needs both latitude and longitude"))
    if latitude is not None and not -90 <= latitude <= 90:
        problems.append(Problem("latitude", f"{latitude} is not between -90 and 90"))
    if longitude is not None and not -180 <= longitude <= 180:
        problems.append(Problem("longitude", f"{longitude} is not between -180 and 180"))
    return problems


def edit_camera(
    rt: Runtime,
    actor: Actor,
    *,
    name: str,
    location: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    heading: float | None = None,
) -> Camera:
    """Change where a camera stands or faces; what is not given stays as it is."""
    authorize(rt, actor, Action.MANAGE_CAMERAS, parameters={"camera": name})
    with rt.engine.begin() as conn:
        camera = store.get_camera(conn, name=name)
        if camera is None:
            raise NotFoundError(f"there is no camera {name!r}")
        problems = _placement_problems(
            camera.latitude if latitude is None else latitude,
            camera.longitude if longitude is None else longitude,
            camera.heading if heading is None else heading,
        )
        if problems:
            raise InvalidInputError(f"camera {name!r} not changed:", problems)
        given = {"location": location, "latitude": latitude, "longitude": longitude}
        changes = {k: v for k, v in {**given, "heading": heading}.items() if v is not None}
        edited = store.edit_camera(conn, camera_id=camera.id, values=changes)
        record(conn, rt, actor, "edit_camera", parameters={"camera": name, **changes})
    return edited


@dataclass(frozen=True)
class CameraState(Camera):
    """A camera, and whether it has gone silent."""

    offline: bool = False


def list_cameras(rt: Runtime, actor: Actor) -> list[CameraState]:
    """Return the registered cameras; one in service silent past the policy's minutes is offline."""
    authorize(rt, actor, Action.MANAGE_CAMERAS)
    with rt.engine.connect() as conn:
        found = store.list_cameras(conn)
    since = rt.clock.now() - timedelta(minutes=rt.policy.cameras.offline_after_minutes)
    return [
        CameraState(
            **{f.name: getattr(camera, f.name) for f in fields(camera)},
            offline=camera.status == CameraStatus.ACTIVE
            and (camera.last_seen_at is None or camera.last_seen_at < since),
        )
        for camera in found
    ]


def set_camera_status(rt: Runtime, actor: Actor, *, name: str, status: CameraStatus) -> None:
    """Put a camera in or out of service, or retire it."""
    authorize(rt, actor, Action.MANAGE_CAMERAS, parameters={"camera": name})
    with rt.engine.begin() as conn:
        if not store.set_camera_status(conn, name=name, status=status):
            raise NotFoundError(f"there is no camera {name!r}")
        record(conn, rt, actor, "set_camera_status", parameters={"camera": name, "status": status})
