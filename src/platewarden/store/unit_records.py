"""At the station: the audit records and alerts its patrol-car units forwarded, each once."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from platewarden.domain import AlertStatus
from platewarden.store.schema import (
    alert_events,
    alert_reads,
    alerts,
    hotlist_entries,
    reads,
    unit_alert_events,
    unit_alerts,
    unit_audit,
)

AUDIT_FIELDS = ("action", "outcome", "reason", "purpose", "case_number", "parameters")


def add_audit(
    conn: Connection, *, device_id: int, rows: Sequence[dict[str, Any]], at: datetime
) -> int:
    """Store a unit's audit records not stored yet; return how many were new."""
    ids = [row["id"] for row in rows]
    held = set(
        conn.scalars(
            select(unit_audit.c.entry_id).where(
                unit_audit.c.device_id == device_id, unit_audit.c.entry_id.in_(ids)
            )
        )
    )
    fresh = [
        {
            "device_id": device_id,
            "entry_id": row["id"],
            "at": datetime.fromisoformat(row["at"]),
            "actor": row["actor"],
            **{name: row[name] for name in AUDIT_FIELDS},
            "result_count": row["result_count"],
            "hash": row["hash"],
            "prev_hash": row["prev_hash"],
            "received_at": at,
        }
        for row in rows
        if row["id"] not in held
    ]
    if fresh:
        conn.execute(insert(unit_audit), fresh)
    return len(fresh)


def count_audit(conn: Connection, *, device_id: int) -> int:
    """Count the audit records a unit forwarded."""
    query = select(func.count()).select_from(unit_audit).where(unit_audit.c.device_id == device_id)
    return conn.scalar(query) or 0


def linked_alert(conn: Connection, *, device_id: int, unit_alert_id: int) -> int | None:
    """Return the station's alert for a unit's alert, once linked."""
    return conn.scalar(
        select(unit_alerts.c.alert_id).where(
            unit_alerts.c.device_id == device_id, unit_alerts.c.unit_alert_id == unit_alert_id
        )
    )


def station_read_ids(
    conn: Connection, *, camera_id: int | None, client_read_ids: Sequence[str]
) -> list[int]:
    """Return the station's ids of a camera's reads, by the ids the unit gave them."""
    query = select(reads.c.id).where(
        reads.c.camera_id == camera_id, reads.c.client_read_id.in_(client_read_ids)
    )
    return sorted(conn.scalars(query))


def alert_of_reads(conn: Connection, *, entry_id: int, read_ids: Sequence[int]) -> int | None:
    """Return the station's alert of this entry that one of these reads raised, if any."""
    query = (
        select(alerts.c.id)
        .join(alert_reads, alert_reads.c.alert_id == alerts.c.id)
        .where(alerts.c.entry_id == entry_id, alert_reads.c.read_id.in_(read_ids))
        .order_by(alerts.c.id)
        .limit(1)
    )
    return conn.scalar(query)


def entry_exists(conn: Connection, *, entry_id: int) -> bool:
    """True when the station holds this hot-list entry (in force or not)."""
    return (
        conn.scalar(select(hotlist_entries.c.id).where(hotlist_entries.c.id == entry_id))
        is not None
    )


def add_alert(conn: Connection, *, values: dict[str, Any], read_ids: Sequence[int]) -> int:
    """Store an alert a unit raised that the station had not; return its id."""
    row = {
        **values,
        "read_id": read_ids[0] if read_ids else None,
        "hit_count": max(len(read_ids), 1),
        "status": AlertStatus.NEW.value,
    }
    alert_id = conn.execute(insert(alerts).values(row).returning(alerts.c.id)).scalar_one()
    if read_ids:
        conn.execute(insert(alert_reads), [{"alert_id": alert_id, "read_id": r} for r in read_ids])
    return int(alert_id)


def link_alert(conn: Connection, *, device_id: int, unit_alert_id: int, alert_id: int) -> None:
    """Note which station alert a unit's alert is."""
    values = {"device_id": device_id, "unit_alert_id": unit_alert_id, "alert_id": alert_id}
    conn.execute(insert(unit_alerts).values(values))


def received_events(conn: Connection, *, device_id: int, event_ids: Sequence[int]) -> set[int]:
    """Return which of a unit's alert events the station has already."""
    query = select(unit_alert_events.c.unit_event_id).where(
        unit_alert_events.c.device_id == device_id,
        unit_alert_events.c.unit_event_id.in_(event_ids),
    )
    return set(conn.scalars(query))


def add_event(
    conn: Connection,
    *,
    device_id: int,
    unit_event_id: int,
    alert_id: int,
    at: datetime,
    actor: str,
    event: str,
    detail: dict[str, Any],
) -> None:
    """Record a unit's alert event on the station's alert, once."""
    values = {"alert_id": alert_id, "at": at, "actor": actor, "event": event, "detail": detail}
    event_id = conn.execute(
        insert(alert_events).values(values).returning(alert_events.c.id)
    ).scalar_one()
    conn.execute(
        insert(unit_alert_events).values(
            device_id=device_id, unit_event_id=unit_event_id, event_id=event_id
        )
    )
