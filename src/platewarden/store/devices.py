"""Devices that push to the API, and their hashed tokens."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from platewarden.store.schema import cameras, devices


@dataclass(frozen=True)
class Device:
    """A camera or another system with a token to push reads; never deleted, only revoked."""

    id: int
    name: str
    camera: str | None  # the camera it pushes for, or
    camera_id: int | None
    source_name: str | None  # the other system whose reads it pushes
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None
    unit: bool = False  # a patrol car's laptop: it also keeps a copy of the hot lists


_COLUMNS = (
    devices.c.id,
    devices.c.name,
    cameras.c.name.label("camera"),
    devices.c.camera_id,
    devices.c.source_name,
    devices.c.created_at,
    devices.c.created_by,
    devices.c.last_used_at,
    devices.c.revoked_at,
    devices.c.sync_key.is_not(None).label("unit"),
)


def add_device(
    conn: Connection,
    *,
    name: str,
    camera_id: int | None,
    source_name: str | None,
    token_hash: str,
    at: datetime,
    by: str,
    sync_key: bytes | None = None,
) -> int:
    """Record a device and its token's hash (a unit's sealed key too); return its id."""
    values = {
        "sync_key": sync_key,
        "name": name,
        "camera_id": camera_id,
        "source_name": source_name,
        "token_hash": token_hash,
        "created_at": at,
        "created_by": by,
    }
    return conn.execute(insert(devices).values(values).returning(devices.c.id)).scalar_one()


def list_devices(conn: Connection) -> list[Device]:
    """Return every device, by name."""
    query = select(*_COLUMNS).outerjoin(cameras).order_by(devices.c.name)
    return [Device(**row) for row in conn.execute(query).mappings()]


def device_by_name(conn: Connection, *, name: str) -> Device | None:
    """Return a device by its name."""
    query = select(*_COLUMNS).outerjoin(cameras).where(devices.c.name == name)
    row = conn.execute(query).mappings().first()
    return Device(**row) if row else None


def device_by_token(conn: Connection, *, token_hash: str) -> Device | None:
    """Return the device a token's hash belongs to, revoked or not."""
    query = select(*_COLUMNS).outerjoin(cameras).where(devices.c.token_hash == token_hash)
    row = conn.execute(query).mappings().first()
    return Device(**row) if row else None


def mark_used(conn: Connection, *, device_id: int, at: datetime) -> None:
    """Note when a device last pushed."""
    conn.execute(update(devices).where(devices.c.id == device_id).values(last_used_at=at))


def revoke(conn: Connection, *, device_id: int, at: datetime, by: str) -> None:
    """Revoke a device's token."""
    conn.execute(
        update(devices).where(devices.c.id == device_id).values(revoked_at=at, revoked_by=by)
    )


def sync_key(conn: Connection, *, device_id: int) -> bytes | None:
    """Return a unit's sealed hot-list signing key (None for other devices)."""
    return conn.scalar(select(devices.c.sync_key).where(devices.c.id == device_id))
