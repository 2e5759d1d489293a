"""The frame queue: frames waiting for recognition, taken under a lease."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from platewarden.store.schema import cameras, frames


@dataclass(frozen=True)
class QueuedFrame:
    """A frame in the queue, with the camera it came from."""

    id: int
    camera: str
    client_frame_id: str
    blob_id: str
    captured_at: datetime
    latitude: float | None
    longitude: float | None
    attempts: int


def frame_by_client_id(conn: Connection, *, device_id: int, client_frame_id: str) -> int | None:
    """Return the queue id of a frame a device sent before, if it is still queued."""
    query = select(frames.c.id).where(
        frames.c.device_id == device_id, frames.c.client_frame_id == client_frame_id
    )
    return conn.scalar(query)


def add_frame(conn: Connection, *, values: dict[str, Any]) -> int:
    """Queue a frame; return its id."""
    row = {**values, "attempts": 0, "leased_until": None}
    return conn.execute(insert(frames).values(row).returning(frames.c.id)).scalar_one()


def queue_depth(conn: Connection) -> int:
    """Count the frames waiting or being read."""
    return conn.scalar(select(func.count()).select_from(frames)) or 0


def lease_frames(
    conn: Connection, *, now: datetime, until: datetime, limit: int
) -> list[QueuedFrame]:
    """Take up to `limit` frames no worker holds (or whose lease ran out), oldest first.

    On PostgreSQL the rows are locked with SKIP LOCKED, so workers on any number of machines
    take different frames; SQLite has one writer at a time, which does the same.
    """
    free = or_(frames.c.leased_until.is_(None), frames.c.leased_until < now)
    query = select(frames.c.id).where(free).order_by(frames.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(conn.scalars(query))
    if not ids:
        return []
    conn.execute(
        update(frames)
        .where(frames.c.id.in_(ids))
        .values(leased_until=until, attempts=frames.c.attempts + 1)
    )
    rows = conn.execute(
        select(
            frames.c.id,
            cameras.c.name.label("camera"),
            frames.c.client_frame_id,
            frames.c.blob_id,
            frames.c.captured_at,
            frames.c.latitude,
            frames.c.longitude,
            frames.c.attempts,
        )
        .join(cameras, cameras.c.id == frames.c.camera_id)
        .where(frames.c.id.in_(ids))
        .order_by(frames.c.id)
    )
    return [QueuedFrame(**row) for row in rows.mappings()]


def remove_frames(conn: Connection, *, ids: list[int]) -> None:
    """Take frames off the queue once their reads are stored."""
    conn.execute(delete(frames).where(frames.c.id.in_(ids)))


def queued_blobs(conn: Connection, *, blob_ids: set[str]) -> set[str]:
    """Return which of these blobs a queued frame still refers to."""
    return set(conn.scalars(select(frames.c.blob_id).where(frames.c.blob_id.in_(blob_ids))))
