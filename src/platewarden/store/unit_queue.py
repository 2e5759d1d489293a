"""A unit's queue and small state, in the laptop's own database.

The queue is the unit's reads table itself: a read waits from the commit that stored it until
the station acknowledged it (then deleted, or marked forwarded while an alert keeps it).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, select, union
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from platewarden.store.schema import alert_reads, alerts, cameras, reads, unit_forwarded, unit_state

CURSOR = "hotlist_cursor"  # the station's cursor of the copy held
AS_OF = "hotlist_as_of"  # the station's time of the copy held (ISO 8601)
LAST_CONTACT = "last_contact"  # when the station last answered (ISO 8601, this laptop's clock)


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


def _waiting() -> Any:
    forwarded = select(unit_forwarded.c.read_id).where(
        unit_forwarded.c.read_id == reads.c.id,
        unit_forwarded.c.client_read_id == reads.c.client_read_id,
    )
    return ~forwarded.exists()
