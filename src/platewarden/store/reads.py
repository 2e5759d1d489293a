"""Reads: insert in batches without duplicates, find, and delete for purge."""

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, and_, delete, exists, func, or_, select, text

from platewarden.domain import Alternative, Read, ReadSource
from platewarden.geo import bounding_box, distance_m
from platewarden.store.schema import cameras, hold_reads, holds, reads


def existing_client_ids(
    conn: Connection, *, source: str, source_name: str, client_read_ids: Sequence[str]
) -> set[str]:
    """Return which of these client read ids this source has already stored."""
    query = select(reads.c.client_read_id).where(
        reads.c.source == source,
        reads.c.source_name == source_name,
        reads.c.client_read_id.in_(list(client_read_ids)),
    )
    return set(conn.scalars(query))


def ids_by_client_id(
    conn: Connection, *, source: str, source_name: str, client_read_ids: Sequence[str]
) -> dict[str, int]:
    """Return the stored read ids of these client read ids of one source."""
    query = select(reads.c.client_read_id, reads.c.id).where(
        reads.c.source == source,
        reads.c.source_name == source_name,
        reads.c.client_read_id.in_(list(client_read_ids)),
    )
    return {row.client_read_id: row.id for row in conn.execute(query)}


def insert_reads(conn: Connection, *, rows: Sequence[dict[str, Any]]) -> int:
    """Insert read rows, skipping any whose (source, source_name, client_read_id) is stored.

    Return how many rows the database inserted.
    """
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        return _insert_unnest(conn, rows)
    return _insert_sqlite(conn, rows)


# The columns a new read fills, with their PostgreSQL array types.
_INSERT_COLUMNS = {
    "source": "text",
    "source_name": "text",
    "client_read_id": "text",
    "camera_id": "integer",
    "plate": "text",
    "jurisdiction": "text",
    "confidence": "double precision",
    "alternatives": "text",
    "captured_at": "timestamptz",
    "ingested_at": "timestamptz",
    "latitude": "double precision",
    "longitude": "double precision",
    "plate_box": "text",
    "frame_blob": "text",
    "crop_blob": "text",
}
_JSON_COLUMNS = {"alternatives", "plate_box"}


def _insert_sqlite(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    # The driver's executemany with values converted here: SQLAlchemy's per-row bind processing
    # cost four times the insert itself. Times take SQLAlchemy's own SQLite text format
    # (YYYY-MM-DD HH:MM:SS.ffffff), so that they compare as text exactly like the rows it writes.
    columns = list(_INSERT_COLUMNS)
    statement = (
        f"INSERT INTO reads ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        " ON CONFLICT DO NOTHING"
    )
    pick = itemgetter(*columns)
    times: dict[datetime, str] = {}  # a batch shares its ingest time, and often capture times

    def as_text(moment: datetime) -> str:
        if moment not in times:
            utc = moment.astimezone(UTC).replace(tzinfo=None)
            times[moment] = utc.isoformat(" ", "microseconds")
        return times[moment]

    values = [
        pick(
            {
                **row,
                "alternatives": json.dumps(row["alternatives"]),
                "plate_box": json.dumps(row["plate_box"]),
                "captured_at": as_text(row["captured_at"]),
                "ingested_at": as_text(row["ingested_at"]),
            }
        )
        for row in rows
    ]
    return conn.exec_driver_sql(statement, values).rowcount


def _insert_unnest(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    # One INSERT ... SELECT FROM unnest(arrays): a single short statement for the whole batch,
    # several times faster through psycopg than a thousand-row VALUES list.
    columns = ", ".join(_INSERT_COLUMNS)
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in _INSERT_COLUMNS.items())
    selected = ", ".join(f"{c}::json" if c in _JSON_COLUMNS else c for c in _INSERT_COLUMNS)
    statement = text(
        f"INSERT INTO reads ({columns}) SELECT {selected} FROM unnest({arrays}) AS t({columns})"
        " ON CONFLICT DO NOTHING"
    )
    params = {
        column: [
            json.dumps(row.get(column)) if column in _JSON_COLUMNS else row.get(column)
            for row in rows
        ]
        for column in _INSERT_COLUMNS
    }
    return conn.execute(statement, params).rowcount


def find_reads(
    conn: Connection,
    *,
    ids: Iterable[int] | None = None,
    hold_id: int | None = None,
    plate: str | None = None,
    camera: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: float | None = None,
    limit: int | None = None,
) -> list[Read]:
    """Return reads matching every given filter, oldest first."""
    query = _read_query()
    if ids is not None:
        query = query.where(reads.c.id.in_(list(ids)))
    if hold_id is not None:
        query = query.where(
            reads.c.id.in_(select(hold_reads.c.read_id).where(hold_reads.c.hold_id == hold_id))
        )
    if plate is not None:
        query = query.where(reads.c.plate == plate)
    if camera is not None:
        query = query.where(cameras.c.name == camera)
    if since is not None:
        query = query.where(reads.c.captured_at >= since)
    if until is not None:
        query = query.where(reads.c.captured_at < until)
    area = (
        (latitude, longitude, radius_m)
        if latitude is not None and longitude is not None and radius_m is not None
        else None
    )
    if area is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(*area)
        query = query.where(
            reads.c.latitude.between(min_lat, max_lat),
            reads.c.longitude.between(min_lon, max_lon),
        )
    query = query.order_by(reads.c.captured_at, reads.c.id)
    found = [_read(row) for row in conn.execute(query).mappings()]
    if area is not None:
        lat, lon, radius = area
        found = [
            r
            for r in found
            if r.latitude is not None
            and r.longitude is not None
            and distance_m(lat, lon, r.latitude, r.longitude) <= radius
        ]
    return found[:limit] if limit is not None else found


def iter_matchable(conn: Connection, *, since: datetime) -> Iterator[RowMapping]:
    """Yield reads captured since a time with what matching needs, streamed in chunks."""
    query = select(
        reads.c.id,
        reads.c.plate,
        reads.c.confidence,
        reads.c.jurisdiction,
        reads.c.alternatives,
        reads.c.captured_at,
    ).where(reads.c.captured_at >= since)
    yield from conn.execute(query.execution_options(yield_per=5000)).mappings()


def held_read_ids() -> Select[tuple[int]]:
    """Return a query of the ids of reads that an active hold keeps."""
    return (
        select(hold_reads.c.read_id)
        .join(holds, holds.c.id == hold_reads.c.hold_id)
        .where(holds.c.released_at.is_(None))
    )


def expired_reads(
    conn: Connection, *, cutoff: datetime, limit: int
) -> list[tuple[int, str | None, str | None]]:
    """Return up to `limit` (id, frame_blob, crop_blob) of unheld reads captured before cutoff."""
    held = exists().where(
        hold_reads.c.read_id == reads.c.id,
        hold_reads.c.hold_id == holds.c.id,
        holds.c.released_at.is_(None),
    )
    query = (
        select(reads.c.id, reads.c.frame_blob, reads.c.crop_blob)
        .where(reads.c.captured_at < cutoff, ~held)
        .order_by(reads.c.captured_at)
        .limit(limit)
    )
    return [(r.id, r.frame_blob, r.crop_blob) for r in conn.execute(query)]


def count_held_expired(conn: Connection, *, cutoff: datetime) -> int:
    """Count reads captured before cutoff that an active hold keeps."""
    query = select(func.count()).where(
        reads.c.captured_at < cutoff, reads.c.id.in_(held_read_ids())
    )
    return conn.scalar(query) or 0


def count_expired(conn: Connection, *, cutoff: datetime) -> int:
    """Count reads captured before cutoff, held or not."""
    return conn.scalar(select(func.count()).where(reads.c.captured_at < cutoff)) or 0


def delete_reads(conn: Connection, *, ids: Sequence[int]) -> int:
    """Delete reads (and their released-hold links) by id; return how many were deleted."""
    conn.execute(delete(hold_reads).where(hold_reads.c.read_id.in_(ids)))
    return conn.execute(delete(reads).where(reads.c.id.in_(ids))).rowcount


def blobs_in_use(conn: Connection, *, blob_ids: Iterable[str]) -> set[str]:
    """Return which of these blobs some stored read still refers to."""
    by_day: dict[str, set[str]] = {}
    for blob_id in blob_ids:
        by_day.setdefault(blob_id.split("/", 1)[0], set()).add(blob_id)
    used: set[str] = set()
    for day, wanted in by_day.items():
        # A blob belongs to its capture day: only that day's reads can refer to it, and the
        # capture-time index finds them without scanning the whole table.
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        query = select(reads.c.frame_blob, reads.c.crop_blob).where(
            reads.c.captured_at >= start,
            reads.c.captured_at < start + timedelta(days=1),
            or_(reads.c.frame_blob.in_(wanted), reads.c.crop_blob.in_(wanted)),
        )
        for frame, crop in conn.execute(query):
            used.update(b for b in (frame, crop) if b in wanted)
    return used


def days_with_reads(conn: Connection, *, days: Iterable[str]) -> set[str]:
    """Return which of these UTC capture days (YYYY-MM-DD) still have reads (images follow days)."""
    found: set[str] = set()
    for day in days:
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        query = select(reads.c.id).where(
            reads.c.captured_at >= start, reads.c.captured_at < start + timedelta(days=1)
        )
        if conn.execute(query.limit(1)).first():
            found.add(day)
    return found


def _read_query() -> Select[Any]:
    return select(reads, cameras.c.name.label("camera_name")).join_from(
        reads, cameras, and_(cameras.c.id == reads.c.camera_id), isouter=True
    )


def _read(row: RowMapping) -> Read:
    box = row["plate_box"]
    return Read(
        id=row["id"],
        client_read_id=row["client_read_id"],
        plate=row["plate"],
        captured_at=row["captured_at"],
        ingested_at=row["ingested_at"],
        confidence=row["confidence"],
        source=ReadSource(row["source"]),
        source_name=row["source_name"],
        camera=row["camera_name"],
        jurisdiction=row["jurisdiction"],
        alternatives=tuple(Alternative(a["plate"], a["confidence"]) for a in row["alternatives"]),
        latitude=row["latitude"],
        longitude=row["longitude"],
        plate_box=tuple(box) if box else None,
        frame_blob=row["frame_blob"],
        crop_blob=row["crop_blob"],
    )
