"""A unit's copy of the hot lists, in the laptop's own database: the station's ids kept."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from platewarden.store import hotlists as hotlist_store
from platewarden.store.schema import alerts, hotlist_entries, hotlist_versions

MANUAL_VERSION = 0  # the one local version hand-entered entries hang on


def put_versions(conn: Connection, *, versions: list[dict[str, Any]], as_of: datetime) -> None:
    """Add the station's feed versions not held yet; date the manual version to the sync."""
    known = set(conn.scalars(select(hotlist_versions.c.id)))
    rows = [
        {
            "id": v["id"],
            "source": v["source"],
            "loaded_at": datetime.fromisoformat(v["loaded_at"]),
            "loaded_by": "station",
            "entry_count": 0,
            "sha256": v["sha256"],
            "forced": False,
        }
        for v in versions
        if v["id"] not in known
    ]
    if rows:
        conn.execute(insert(hotlist_versions), rows)
    manual = {"source": hotlist_store.MANUAL, "loaded_at": as_of}
    if MANUAL_VERSION in known:
        conn.execute(
            update(hotlist_versions).where(hotlist_versions.c.id == MANUAL_VERSION).values(manual)
        )
    else:
        values = {"id": MANUAL_VERSION, "loaded_by": "station", "entry_count": 0, "sha256": ""}
        conn.execute(insert(hotlist_versions).values({**values, **manual, "forced": False}))


def remove_entries(conn: Connection, *, ids: list[int] | None, at: datetime) -> None:
    """Mark entries removed by the station (all of them when ids is None)."""
    query = update(hotlist_entries).where(hotlist_entries.c.removed_at.is_(None))
    if ids is not None:
        query = query.where(hotlist_entries.c.id.in_(ids))
    conn.execute(query.values(removed_at=at, removed_by="station"))


def put_entries(conn: Connection, *, rows: list[dict[str, Any]]) -> None:
    """Insert entries, or bring back in force those kept for an alert; ids are the station's."""
    ids = [row["id"] for row in rows]
    known: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        known |= set(
            conn.scalars(select(hotlist_entries.c.id).where(hotlist_entries.c.id.in_(chunk)))
        )
    for row in (r for r in rows if r["id"] in known):
        conn.execute(update(hotlist_entries).where(hotlist_entries.c.id == row["id"]).values(row))
    fresh = [row for row in rows if row["id"] not in known]
    for start in range(0, len(fresh), 5000):
        conn.execute(insert(hotlist_entries), fresh[start : start + 5000])


def checksum(conn: Connection, *, at: datetime) -> tuple[int, int]:
    """Return the count and id sum of the entries in force at a time."""
    count, total = conn.execute(
        select(func.count(), func.coalesce(func.sum(hotlist_entries.c.id), 0)).where(
            *hotlist_store.active_conditions(at)
        )
    ).one()
    return int(count), int(total)


def forget_unused(conn: Connection, *, at: datetime) -> None:
    """Delete entries no longer in force that no alert in the car refers to."""
    in_force = select(hotlist_entries.c.id).where(*hotlist_store.active_conditions(at))
    conn.execute(
        delete(hotlist_entries).where(
            hotlist_entries.c.id.not_in(in_force),
            hotlist_entries.c.id.not_in(select(alerts.c.entry_id)),
        )
    )
