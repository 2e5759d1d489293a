"""Hot-list versions, entries, the change generation and administrator notices."""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, or_, select, update

from platewarden.domain import HotlistEntry, HotlistVersion
from platewarden.store.schema import hotlist_entries, hotlist_generation, hotlist_versions, notices

MANUAL = "manual"


def add_version(
    conn: Connection,
    *,
    source: str,
    loaded_at: datetime,
    loaded_by: str,
    sha256: str,
    forced: bool,
    entries: Sequence[dict[str, Any]],
) -> int:
    """Store a new load of a source with its entries; it becomes the source's current version."""
    values = {
        "source": source,
        "loaded_at": loaded_at,
        "loaded_by": loaded_by,
        "entry_count": len(entries),
        "sha256": sha256,
        "forced": forced,
    }
    version_id = conn.execute(
        insert(hotlist_versions).values(values).returning(hotlist_versions.c.id)
    ).scalar_one()
    rows = [
        {**_entry_defaults(), **entry, "source": source, "version_id": version_id}
        for entry in entries
    ]
    for start in range(0, len(rows), 5000):
        conn.execute(insert(hotlist_entries), rows[start : start + 5000])
    bump_generation(conn)
    return version_id


def add_manual_entry(conn: Connection, *, entry: dict[str, Any]) -> int:
    """Store a hand-entered entry; return its id."""
    values = {**_entry_defaults(), **entry, "source": MANUAL, "version_id": None}
    entry_id = conn.execute(
        insert(hotlist_entries).values(values).returning(hotlist_entries.c.id)
    ).scalar_one()
    bump_generation(conn)
    return entry_id


def remove_entry(
    conn: Connection, *, entry_id: int, removed_by: str, removed_at: datetime, reason: str
) -> bool:
    """Mark an entry removed; return False when it was not active."""
    result = conn.execute(
        update(hotlist_entries)
        .where(hotlist_entries.c.id == entry_id, hotlist_entries.c.removed_at.is_(None))
        .values(removed_at=removed_at, removed_by=removed_by, removal_reason=reason)
    )
    bump_generation(conn)
    return result.rowcount == 1


def current_versions(conn: Connection) -> dict[str, HotlistVersion]:
    """Return each feed source's newest version, keyed by source."""
    newest = select(func.max(hotlist_versions.c.id)).group_by(hotlist_versions.c.source)
    query = select(hotlist_versions).where(hotlist_versions.c.id.in_(newest))
    return {row["source"]: _version(row) for row in conn.execute(query).mappings()}


def get_version(conn: Connection, *, version_id: int) -> HotlistVersion | None:
    """Return a version by id."""
    query = select(hotlist_versions).where(hotlist_versions.c.id == version_id)
    row = conn.execute(query).mappings().first()
    return _version(row) if row else None


def active_conditions(now: datetime) -> Any:
    """Return the conditions an entry in force at a time meets (for a query's WHERE)."""
    return _active(now)


def _active(now: datetime) -> Any:
    newest = select(func.max(hotlist_versions.c.id)).group_by(hotlist_versions.c.source)
    return (
        hotlist_entries.c.removed_at.is_(None),
        or_(hotlist_entries.c.expires_at.is_(None), hotlist_entries.c.expires_at > now),
        or_(hotlist_entries.c.version_id.is_(None), hotlist_entries.c.version_id.in_(newest)),
    )


def index_rows(
    conn: Connection, *, now: datetime
) -> Iterator[tuple[int, str, str | None, bool, int | None]]:
    """Yield (id, plate, jurisdiction, is_pattern, version_id) of every entry in force."""
    query = select(
        hotlist_entries.c.id,
        hotlist_entries.c.plate,
        hotlist_entries.c.jurisdiction,
        hotlist_entries.c.is_pattern,
        hotlist_entries.c.version_id,
    ).where(*_active(now))
    for row in conn.execute(query.execution_options(yield_per=10_000)):
        yield row.id, row.plate, row.jurisdiction, row.is_pattern, row.version_id


def list_entries(
    conn: Connection,
    *,
    now: datetime,
    source: str | None = None,
    plate: str | None = None,
    limit: int = 200,
) -> list[HotlistEntry]:
    """Return entries in force, optionally of one source or plate."""
    query = select(hotlist_entries).where(*_active(now)).order_by(hotlist_entries.c.id)
    if source is not None:
        query = query.where(hotlist_entries.c.source == source)
    if plate is not None:
        query = query.where(hotlist_entries.c.plate == plate)
    return [_entry(row) for row in conn.execute(query.limit(limit)).mappings()]


def count_in_force(conn: Connection, *, now: datetime, source: str) -> int:
    """Count a source's entries in force."""
    query = select(func.count()).where(*_active(now), hotlist_entries.c.source == source)
    return conn.scalar(query) or 0


def get_entry(conn: Connection, *, entry_id: int) -> HotlistEntry | None:
    """Return an entry by id, removed or not."""
    row = conn.execute(select(hotlist_entries).where(hotlist_entries.c.id == entry_id)).mappings()
    found = row.first()
    return _entry(found) if found else None


def bump_generation(conn: Connection) -> None:
    """Mark the hot lists changed."""
    conn.execute(update(hotlist_generation).values(generation=hotlist_generation.c.generation + 1))


def generation(conn: Connection) -> int:
    """Return the hot lists' change counter."""
    return conn.scalar(select(hotlist_generation.c.generation)) or 0


def add_notice(conn: Connection, *, at: datetime, kind: str, subject: str, message: str) -> int:
    """Raise a notice for the administrator."""
    values = {"at": at, "kind": kind, "subject": subject, "message": message}
    return conn.execute(insert(notices).values(values).returning(notices.c.id)).scalar_one()


def resolve_notices(conn: Connection, *, kind: str, subject: str, at: datetime) -> None:
    """Close the open notices of a kind about a subject."""
    conn.execute(
        update(notices)
        .where(
            notices.c.kind == kind, notices.c.subject == subject, notices.c.resolved_at.is_(None)
        )
        .values(resolved_at=at)
    )


def open_notices(conn: Connection) -> list[tuple[datetime, str, str, str]]:
    """Return the open notices as (at, kind, subject, message), newest first."""
    query = (
        select(notices.c.at, notices.c.kind, notices.c.subject, notices.c.message)
        .where(notices.c.resolved_at.is_(None))
        .order_by(notices.c.id.desc())
    )
    return [tuple(row) for row in conn.execute(query)]


def _entry_defaults() -> dict[str, Any]:
    return {c.name: None for c in hotlist_entries.c if c.name != "id"} | {
        "is_pattern": False,
        "confidential": False,
    }


def _version(row: RowMapping) -> HotlistVersion:
    return HotlistVersion(
        id=row["id"],
        source=row["source"],
        loaded_at=row["loaded_at"],
        loaded_by=row["loaded_by"],
        entry_count=row["entry_count"],
        sha256=row["sha256"],
        forced=row["forced"],
    )


def _entry(row: RowMapping) -> HotlistEntry:
    return HotlistEntry(
        **{k: v for k, v in row.items() if k not in {"removed_by", "removal_reason"}}
    )
