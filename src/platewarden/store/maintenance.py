"""Camera maintenance and calibration records."""

from datetime import datetime

from sqlalchemy import Connection, RowMapping, func, insert, select

from platewarden.accountability import MaintenanceKind, MaintenanceRecord
from platewarden.store.schema import camera_maintenance, cameras

_COLUMNS = (*camera_maintenance.c, cameras.c.name.label("camera"))
_JOINED = camera_maintenance.join(cameras, camera_maintenance.c.camera_id == cameras.c.id)


def add_maintenance(
    conn: Connection,
    *,
    camera_id: int,
    done_on: datetime,
    kind: MaintenanceKind,
    performed_by: str,
    notes: str | None,
    next_due: datetime | None,
    recorded_by: str,
    recorded_at: datetime,
) -> MaintenanceRecord:
    """Insert a maintenance record and return it."""
    values = {
        "camera_id": camera_id,
        "done_on": done_on,
        "kind": kind.value,
        "performed_by": performed_by,
        "notes": notes,
        "next_due": next_due,
        "recorded_by": recorded_by,
        "recorded_at": recorded_at,
    }
    new_id = conn.execute(
        insert(camera_maintenance).values(values).returning(camera_maintenance.c.id)
    ).scalar_one()
    row = conn.execute(
        select(*_COLUMNS).select_from(_JOINED).where(camera_maintenance.c.id == new_id)
    ).mappings()
    return _record(row.one())


def list_maintenance(conn: Connection, *, camera_id: int | None) -> list[MaintenanceRecord]:
    """Return a camera's records (every camera's when None), newest work first."""
    query = select(*_COLUMNS).select_from(_JOINED)
    if camera_id is not None:
        query = query.where(camera_maintenance.c.camera_id == camera_id)
    order = (camera_maintenance.c.done_on.desc(), camera_maintenance.c.id.desc())
    return [_record(row) for row in conn.execute(query.order_by(*order)).mappings()]


def last_of_kind(
    conn: Connection, *, camera_id: int, kind: MaintenanceKind
) -> MaintenanceRecord | None:
    """Return the camera's latest record of this kind (by the date done), or None."""
    row = conn.execute(
        select(*_COLUMNS)
        .select_from(_JOINED)
        .where(camera_maintenance.c.camera_id == camera_id, camera_maintenance.c.kind == kind.value)
        .order_by(camera_maintenance.c.done_on.desc(), camera_maintenance.c.id.desc())
        .limit(1)
    ).mappings()
    found = row.first()
    return _record(found) if found else None


def latest_calibrations(
    conn: Connection, *, statuses: tuple[str, ...]
) -> list[tuple[str, MaintenanceRecord | None]]:
    """Return each camera of these statuses by name, with its latest calibration or None."""
    calibrations = select(
        camera_maintenance,
        func.row_number()
        .over(
            partition_by=camera_maintenance.c.camera_id,
            order_by=(camera_maintenance.c.done_on.desc(), camera_maintenance.c.id.desc()),
        )
        .label("rank"),
    ).where(camera_maintenance.c.kind == MaintenanceKind.CALIBRATION.value)
    latest = calibrations.subquery()
    rows = conn.execute(
        select(cameras.c.name.label("camera"), *(c for c in latest.c if c.name != "rank"))
        .select_from(
            cameras.outerjoin(latest, (latest.c.camera_id == cameras.c.id) & (latest.c.rank == 1))
        )
        .where(cameras.c.status.in_(statuses))
        .order_by(cameras.c.name)
    ).mappings()
    return [(row["camera"], _record(row) if row["id"] is not None else None) for row in rows]


def _record(r: RowMapping) -> MaintenanceRecord:
    return MaintenanceRecord(
        id=r["id"],
        camera=r["camera"],
        done_on=r["done_on"],
        kind=MaintenanceKind(r["kind"]),
        performed_by=r["performed_by"],
        notes=r["notes"],
        next_due=r["next_due"],
        recorded_by=r["recorded_by"],
        recorded_at=r["recorded_at"],
    )
