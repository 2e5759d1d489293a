"""Reads: insert in batches without duplicates, find, and delete for purge."""

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Connection,
    RowMapping,
    Select,
    and_,
    delete,
    exists,
    func,
    or_,
    select,
    tuple_,
)

from platewarden.domain import Read, ReadSource
from platewarden.store import arrays
from platewarden.store.alternatives import alternatives_from_column
from platewarden.store.image_ids import pack_image_id
from platewarden.store.plate_index import area_cell, index_reads, unindex_reads
from platewarden.store.schema import cameras, hold_reads, holds, reads

ReadKey = tuple[str, str, str]  # (source, source_name, client_read_id): a read's identity


def stored_keys(
    conn: Connection, *, keys: Sequence[ReadKey], captured: tuple[datetime, datetime] | None
) -> set[ReadKey]:
    """Return which of these read identities are stored, captured within a range.

    The range of the reads asking spares PostgreSQL a look in every day's partition; None
    looks at any capture time. One statement for the whole batch on PostgreSQL.
    """
    if not keys:
        return set()
    if conn.dialect.name == "postgresql":
        # A probe of the unique key a read (LATERAL ... LIMIT 1 keeps it a probe), in the days of
        # the range only: a join hashes every read of the range, most of a day at a busy hour.
        window = " AND r.captured_at BETWEEN %(first)s AND %(last)s" if captured else ""
        types = {"source": "text", "source_name": "text", "client_read_id": "text"}
        statement = (
            f"SELECT k.source, k.source_name, k.client_read_id FROM {arrays.unnest(types, 'k')}"
            " CROSS JOIN LATERAL (SELECT FROM reads AS r WHERE r.source = k.source"
            " AND r.source_name = k.source_name AND r.client_read_id = k.client_read_id"
            f"{window} LIMIT 1) AS stored"
        )
        params: dict[str, Any] = dict(zip(types, map(list, zip(*keys, strict=True)), strict=True))
        if captured:
            params |= {"first": captured[0], "last": captured[1]}
        return {tuple(row) for row in arrays.execute(conn, statement, params)}
    found: set[ReadKey] = set()
    identity = tuple_(reads.c.source, reads.c.source_name, reads.c.client_read_id)
    for chunk in arrays.chunks(list(keys), _KEYS_PER_STATEMENT):
        query = select(reads.c.source, reads.c.source_name, reads.c.client_read_id).where(
            identity.in_(chunk)
        )
        if captured is not None:
            query = query.where(reads.c.captured_at.between(*captured))
        found |= {tuple(row) for row in conn.execute(query)}
    return found


# Three variables a key, well under SQLite's limit of 32,766 a statement.
_KEYS_PER_STATEMENT = 5_000


def insert_reads(
    conn: Connection, *, rows: Sequence[dict[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    """Insert read rows, skipping any whose (source, source_name, client_read_id) is stored.

    Return the rows the database inserted, each with its new read id.
    """
    if not rows:
        return []
    rows = [{**row, "area_cell": area_cell(row["latitude"], row["longitude"])} for row in rows]
    if conn.dialect.name == "postgresql":
        stored = _insert_unnest(conn, rows)
    else:
        # Under SQLite's write lock no one else inserts: the new reads are those past the last id.
        last = conn.scalar(select(func.max(reads.c.id))) or 0
        _insert_sqlite(conn, rows)
        stored = list(conn.execute(select(*_KEY).where(reads.c.id > last)))
    by_key = {(r["source"], r["source_name"], r["client_read_id"]): r for r in rows}
    inserted = [(read_id, by_key[tuple(key)]) for read_id, *key in stored]
    index_reads(conn, inserted)
    return inserted


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
    "frame_blob": "bytea",
    "crop_blob": "bytea",
    "area_cell": "integer",
}
_KEY = (reads.c.id, reads.c.source, reads.c.source_name, reads.c.client_read_id)
_JSON_COLUMNS = {"alternatives", "plate_box"}
_IMAGE_COLUMNS = {"frame_blob", "crop_blob"}


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _column_value(column: str, value: Any) -> Any:
    """Return a row's value as the driver takes it in one of the raw inserts below."""
    if column in _JSON_COLUMNS:
        return _json(value)
    if column in _IMAGE_COLUMNS and value is not None:
        return pack_image_id(value)
    return value


def _insert_sqlite(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
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
                **{c: _column_value(c, row.get(c)) for c in _JSON_COLUMNS | _IMAGE_COLUMNS},
                "captured_at": as_text(row["captured_at"]),
                "ingested_at": as_text(row["ingested_at"]),
            }
        )
        for row in rows
    ]
    conn.exec_driver_sql(statement, values)


def _insert_unnest(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[Any]:
    # One INSERT ... SELECT FROM unnest(arrays): a single short statement for the whole batch,
    # several times faster through psycopg than a thousand-row VALUES list.
    columns = ", ".join(_INSERT_COLUMNS)
    selected = ", ".join(f"{c}::json" if c in _JSON_COLUMNS else c for c in _INSERT_COLUMNS)
    statement = (
        f"INSERT INTO reads ({columns}) SELECT {selected} FROM {arrays.unnest(_INSERT_COLUMNS)}"
        " ON CONFLICT DO NOTHING RETURNING id, source, source_name, client_read_id"
    )
    params = {
        column: [_column_value(column, row.get(column)) for row in rows]
        for column in _INSERT_COLUMNS
    }
    return list(arrays.execute(conn, statement, params))


def find_reads(
    conn: Connection, *, ids: Iterable[int] | None = None, hold_id: int | None = None
) -> list[Read]:
    """Return reads by id, or those a hold keeps (all without either), oldest first."""
    query = read_query()
    if ids is not None:
        query = query.where(reads.c.id.in_(list(ids)))
    if hold_id is not None:
        query = query.where(
            reads.c.id.in_(select(hold_reads.c.read_id).where(hold_reads.c.hold_id == hold_id))
        )
    return [
        to_read(row)
        for row in conn.execute(query.order_by(reads.c.captured_at, reads.c.id)).mappings()
    ]


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
    """Delete reads (their released-hold links, derived plate rows) by id; return how many."""
    unindex_reads(conn, read_ids=ids)
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


def read_query() -> Select[Any]:
    """Return the query of reads with their camera's name, for to_read."""
    return select(reads, cameras.c.name.label("camera_name")).join_from(
        reads, cameras, and_(cameras.c.id == reads.c.camera_id), isouter=True
    )


def to_read(row: RowMapping) -> Read:
    """Return the Read of a row of read_query."""
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
        alternatives=alternatives_from_column(row["alternatives"]),
        latitude=row["latitude"],
        longitude=row["longitude"],
        plate_box=tuple(box) if box else None,
        frame_blob=row["frame_blob"],
        crop_blob=row["crop_blob"],
    )
