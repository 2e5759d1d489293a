"""Cameras."""

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import Connection, RowMapping, insert, or_, select, update

from platewarden.domain import Camera, CameraKind, CameraStatus
from platewarden.store import arrays
from platewarden.store.schema import cameras

STEP = timedelta(minutes=1)


def add_camera(
    conn: Connection,
    *,
    name: str,
    kind: CameraKind,
    created_at: datetime,
    location: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    heading: float | None = None,
) -> Camera:
    """Insert a camera, in service."""
    values = {
        "name": name,
        "kind": kind.value,
        "status": CameraStatus.ACTIVE.value,
        "location": location,
        "latitude": latitude,
        "longitude": longitude,
        "heading": heading,
        "created_at": created_at,
    }
    row = conn.execute(insert(cameras).values(values).returning(*cameras.c)).mappings().one()
    return _camera(row)


def edit_camera(conn: Connection, *, camera_id: int, values: Mapping[str, object]) -> Camera:
    """Change a camera's columns; return it as it now is."""
    if values:
        conn.execute(update(cameras).where(cameras.c.id == camera_id).values(dict(values)))
    row = conn.execute(select(cameras).where(cameras.c.id == camera_id)).mappings().one()
    return _camera(row)


def get_camera(conn: Connection, *, name: str) -> Camera | None:
    """Return the camera with this name, or None."""
    row = conn.execute(select(cameras).where(cameras.c.name == name)).mappings().first()
    return _camera(row) if row else None


def list_cameras(conn: Connection) -> list[Camera]:
    """Return all cameras by name."""
    rows = conn.execute(select(cameras).order_by(cameras.c.name)).mappings()
    return [_camera(row) for row in rows]


def camera_ids_by_name(conn: Connection) -> dict[str, int]:
    """Return every camera's id keyed by its name."""
    return {name: id_ for id_, name in conn.execute(select(cameras.c.id, cameras.c.name))}


def fixed_positions(conn: Connection) -> dict[str, tuple[float, float]]:
    """Return the position of every fixed camera that has one, keyed by its name."""
    query = select(cameras.c.name, cameras.c.latitude, cameras.c.longitude).where(
        cameras.c.kind == CameraKind.FIXED.value,
        cameras.c.latitude.is_not(None),
        cameras.c.longitude.is_not(None),
    )
    return {name: (lat, lon) for name, lat, lon in conn.execute(query)}


def _camera(r: RowMapping) -> Camera:
    return Camera(
        id=r["id"],
        name=r["name"],
        kind=CameraKind(r["kind"]),
        status=CameraStatus(r["status"]),
        location=r["location"],
        latitude=r["latitude"],
        longitude=r["longitude"],
        heading=r["heading"],
        last_seen_at=r["last_seen_at"],
    )


def note_seen(conn: Connection, *, seen: Mapping[int, datetime]) -> None:
    """Move each camera's last-seen time (by id) forward to its newest capture time.

    Only a time a minute or more past the kept one is written: a busy camera's row is not
    rewritten (and locked) by every frame. Rows are taken in id order, so that two batches
    naming the same cameras never wait on each other in a circle.
    """
    if not seen:
        return
    ordered = sorted(seen.items())
    if conn.dialect.name == "postgresql":
        # One statement for the batch: a batch from a collector names dozens of cameras.
        types = {"id": "integer", "at": "timestamptz"}
        arrays.execute(
            conn,
            f"UPDATE cameras SET last_seen_at = seen.at FROM (SELECT * FROM {arrays.unnest(types)}"
            " ORDER BY id) AS seen WHERE cameras.id = seen.id AND (cameras.last_seen_at IS NULL"
            " OR cameras.last_seen_at <= seen.at - %(step)s)",
            {"id": [i for i, _ in ordered], "at": [at for _, at in ordered], "step": STEP},
        )
        return
    for camera_id, at in ordered:
        conn.execute(
            update(cameras)
            .where(
                cameras.c.id == camera_id,
                or_(cameras.c.last_seen_at.is_(None), cameras.c.last_seen_at <= at - STEP),
            )
            .values(last_seen_at=at)
        )


def set_camera_status(conn: Connection, *, name: str, status: CameraStatus) -> bool:
    """Change a camera's status; return False when there is no such camera."""
    result = conn.execute(update(cameras).where(cameras.c.name == name).values(status=status.value))
    return result.rowcount == 1
