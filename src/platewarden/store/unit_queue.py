"""A unit's queue and small state, in the laptop's own database.

The queue is the unit's reads table itself: a read waits from the commit that stored it until
the station acknowledged it (then deleted, or marked forwarded while an alert keeps it).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, func, insert, select, union
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from platewarden.store.schema import (
    alert_events,
    alert_reads,
    alerts,
    audit_log,
    cameras,
    reads,
    unit_forwarded,
    unit_set_aside,
    unit_state,
)

CURSOR = "hotlist_cursor"  # the station's cursor of the copy held
AS_OF = "hotlist_as_of"  # the station's time of the copy held (ISO 8601)
LAST_CONTACT = "last_contact"  # when the station last answered (ISO 8601, this laptop's clock)
AUDIT_SENT = "audit_sent"  # the newest audit record id the station acknowledged
EVENTS_SENT = "alert_events_sent"  # the newest alert event id the station acknowledged
ALERT_FIELDS = (
    "id",
    "entry_id",
    "plate",
    "matched_text",
    "kind",
    "score",
    "explanation",
    "jurisdiction_mismatch",
    "stale",
    "historical",
    "late",
    "created_at",
    "first_hit_at",
    "last_hit_at",
)


def get_state(conn: Connection, *, key: str) -> str | None:
    """Return a state value, or None when never set."""
    return conn.scalar(select(unit_state.c.value).where(unit_state.c.key == key))


def set_state(conn: Connection, *, key: str, value: str) -> None:
    """Set a state value in the caller's transaction."""
    statement = sqlite_insert(unit_state).values(key=key, value=value)
    conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def queued_count(conn: Connection) -> int:
    """Count the reads waiting for the station."""
    return conn.scalar(select(func.count()).select_from(reads).where(_waiting())) or 0


def forwarded_count(conn: Connection) -> int:
    """Count the reads the station has that the car keeps for its alerts."""
    return conn.scalar(select(func.count()).select_from(unit_forwarded)) or 0


def waiting_reads(conn: Connection, *, limit: int) -> list[RowMapping]:
    """Return the oldest waiting reads, in the order they were stored, with their camera."""
    query = (
        select(reads, cameras.c.name.label("camera_name"))
        .outerjoin(cameras, cameras.c.id == reads.c.camera_id)
        .where(_waiting())
        .order_by(reads.c.id)
        .limit(limit)
    )
    return list(conn.execute(query).mappings())


def alerted_read_ids(conn: Connection, *, read_ids: list[int]) -> set[int]:
    """Return which of these reads an alert in the car refers to."""
    return set(
        conn.scalars(
            union(
                select(alert_reads.c.read_id).where(alert_reads.c.read_id.in_(read_ids)),
                select(alerts.c.read_id).where(alerts.c.read_id.in_(read_ids)),
            )
        )
    )


def mark_forwarded(conn: Connection, *, marks: list[tuple[int, str]], at: datetime) -> None:
    """Note reads (id, client read id) the station acknowledged that the car keeps."""
    if marks:
        rows = [{"read_id": i, "client_read_id": c, "forwarded_at": at} for i, c in marks]
        conn.execute(insert(unit_forwarded), rows)


def audit_after(conn: Connection, *, after: int, limit: int) -> list[RowMapping]:
    """Return the unit's audit records after an id, oldest first."""
    query = select(audit_log).where(audit_log.c.id > after).order_by(audit_log.c.id).limit(limit)
    return list(conn.execute(query).mappings())


def alert_events_after(conn: Connection, *, after: int, limit: int) -> list[RowMapping]:
    """Return the alert events after an id, oldest first."""
    query = (
        select(alert_events)
        .where(alert_events.c.id > after)
        .order_by(alert_events.c.id)
        .limit(limit)
    )
    return list(conn.execute(query).mappings())


def alerts_with_reads(conn: Connection, *, alert_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Return alerts by id, each with its reads' client ids and how many still wait."""
    query = select(*(alerts.c[name] for name in ALERT_FIELDS)).where(alerts.c.id.in_(alert_ids))
    found = {
        row["id"]: dict(row) | {"reads": [], "waiting": 0} for row in conn.execute(query).mappings()
    }
    links = (
        select(alert_reads.c.alert_id, reads.c.client_read_id, _waiting().label("waiting"))
        .join(reads, reads.c.id == alert_reads.c.read_id)
        .where(alert_reads.c.alert_id.in_(alert_ids))
    )
    for alert_id, client_read_id, waiting in conn.execute(links):
        found[alert_id]["reads"].append(client_read_id)
        found[alert_id]["waiting"] += int(bool(waiting))
    return found


def set_aside(
    conn: Connection, *, read_id: int, client_read_id: str, status: int, reason: str, at: datetime
) -> None:
    """Take a read the station refused out of the queue; it stays, encrypted, in the car."""
    conn.execute(
        insert(unit_set_aside).values(
            read_id=read_id,
            client_read_id=client_read_id,
            status_code=status,
            reason=reason,
            set_aside_at=at,
        )
    )


def set_aside_reads(conn: Connection) -> list[RowMapping]:
    """Return the reads set aside, oldest first."""
    query = select(unit_set_aside).order_by(unit_set_aside.c.read_id)
    return list(conn.execute(query).mappings())


def expired_reads(conn: Connection, *, before: datetime) -> list[RowMapping]:
    """Return the reads captured before a time, each with whether it still waits or was
    set aside."""
    refused = select(unit_set_aside.c.read_id).where(unit_set_aside.c.read_id == reads.c.id)
    query = select(
        reads.c.id,
        reads.c.frame_blob,
        reads.c.crop_blob,
        _waiting().label("waiting"),
        refused.exists().label("set_aside"),
    ).where(reads.c.captured_at < before)
    return list(conn.execute(query).mappings())


def forget_marks(conn: Connection, *, read_ids: list[int]) -> None:
    """Forget the forwarded and set-aside marks of reads about to be deleted."""
    conn.execute(delete(unit_forwarded).where(unit_forwarded.c.read_id.in_(read_ids)))
    conn.execute(delete(unit_set_aside).where(unit_set_aside.c.read_id.in_(read_ids)))


def _waiting() -> Any:
    forwarded = select(unit_forwarded.c.read_id).where(
        unit_forwarded.c.read_id == reads.c.id,
        unit_forwarded.c.client_read_id == reads.c.client_read_id,
    )
    refused = select(unit_set_aside.c.read_id).where(
        unit_set_aside.c.read_id == reads.c.id,
        unit_set_aside.c.client_read_id == reads.c.client_read_id,
    )
    return ~forwarded.exists() & ~refused.exists()
