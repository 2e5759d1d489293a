"""Plate indexes derived from reads: plate strings per read, distinct plates and their grams.

`read_plates` files each read under every OCR alternative that differs from its best plate and
that the reader gave at least SEARCHABLE_ALTERNATIVE, so that a search finds it by an indexed
look-up. `plates` holds each distinct best plate once, filed under its grams: positional
character pairs (the plate's length, a position, and the characters there and one or two places
on), so that a wildcard pattern is matched against the few plates that share two of its fixed
pairs, not against every read. SQLite files a row a gram (`plate_grams`), PostgreSQL a row a
plate with its grams under a GIN index (`plate_gram_lists`).
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Table,
    bindparam,
    delete,
    exists,
    insert,
    select,
    text,
    tuple_,
)

from platewarden.matching.patterns import MAX_PLATE_LENGTH, Pattern
from platewarden.matching.wildcards import layouts
from platewarden.store import arrays
from platewarden.store.alternatives import alternatives_from_column
from platewarden.store.schema import plate_gram_lists, plate_grams, plates, read_plates, reads

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_CODE = {char: number for number, char in enumerate(_ALPHABET)}
_MAX_GRAM_LENGTH = 16  # the plate column's width
CELL_DEGREES = 0.01  # area cells of about 1.1 km north-south
# The least probability an OCR alternative needs to be filed for search. The reader gives five
# texts a plate; below this are the beam's leftovers: on the us photos and us-crops, 80% of the
# alternatives after the first. Of 178 crops (us-, br- and cz-crops) whose plate was read only
# among the alternatives, 176 had it at 0.005 or more. Every alternative stays with its read,
# and hot-list matching goes through them all.
SEARCHABLE_ALTERNATIVE = 0.005
# A plate read on more days than this keeps its span only: a plate search reads every day of
# it, as it would the listed days of a plate read that often.
MAX_LISTED_DAYS = 32


def area_cell(latitude: float | None, longitude: float | None) -> int | None:
    """Return the area cell of a position (a grid of CELL_DEGREES), or None without one."""
    if latitude is None or longitude is None:
        return None
    return int((latitude + 90) // CELL_DEGREES) * 40_000 + int((longitude + 180) // CELL_DEGREES)


def area_cells(box: tuple[float, float, float, float]) -> list[int]:
    """Return the cells that cover a (min_lat, max_lat, min_lon, max_lon) box."""
    low, high = area_cell(box[0], box[2]), area_cell(box[1], box[3])
    assert low is not None and high is not None
    rows = range(low // 40_000, high // 40_000 + 1)
    columns = range(low % 40_000, high % 40_000 + 1)
    return [row * 40_000 + column for row in rows for column in columns]


def gram(length: int, position: int, skip: int, first: str, second: str) -> int:
    """Return the code of a positional pair: two characters `skip + 1` places apart."""
    return (((length * _MAX_GRAM_LENGTH + position) * 2 + skip) * 36 + _CODE[first]) * 36 + _CODE[
        second
    ]


def plate_grams_of(plate: str) -> list[int]:
    """Return the grams a plate is filed under (none for text outside A-Z 0-9)."""
    length = len(plate)
    if length > _MAX_GRAM_LENGTH or any(c not in _CODE for c in plate):
        return []
    return [
        gram(length, p, skip, plate[p], plate[p + skip + 1])
        for skip in (0, 1)
        for p in range(length - skip - 1)
    ]


def index_reads(conn: Connection, stored: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """File newly stored reads (id, row) under their searchable alternatives, new plates under
    grams."""
    alternatives = [
        {"plate": text, "captured_at": row["captured_at"], "read_id": read_id}
        for read_id, row in stored
        for text in searchable_alternatives(
            row["plate"],
            [(a.plate, a.confidence) for a in alternatives_from_column(row["alternatives"])],
        )
    ]
    write_alternatives(conn, alternatives)
    days: dict[str, set[date]] = {}
    for _, row in stored:
        days.setdefault(row["plate"], set()).add(row["captured_at"].astimezone(UTC).date())
    write_plates(conn, days)


def searchable_alternatives(plate: str, texts: Iterable[tuple[str, float]]) -> set[str]:
    """Return the alternatives (text, probability) a read with this best plate is filed under:
    those other than the plate, at SEARCHABLE_ALTERNATIVE or more."""
    return {t for t, p in texts if t and t != plate and p >= SEARCHABLE_ALTERNATIVE}


def write_alternatives(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert read_plates rows (plate, captured_at, read_id), skipping any already there."""
    unique = list({(r["plate"], r["read_id"]): r for r in rows}.values())
    if unique:
        _insert_ignoring(conn, read_plates, unique)


@dataclass(frozen=True)
class PlateDays:
    """The UTC capture days of a filed plate's reads: the first, the latest, and on PostgreSQL
    the days themselves while there are at most MAX_LISTED_DAYS of them (None after, and on
    SQLite, where a plate search reads one table and the span is enough).

    The first day may be earlier than any read left (a purge does not move it) and the list
    may name purged days, never the other way round: an extra day costs an empty probe, a
    missing one would miss reads.
    """

    first: date
    last: date
    listed: frozenset[date] | None

    def lacks(self, days: set[date]) -> bool:
        """Tell whether filing reads of these days changes the plate's row."""
        if min(days) < self.first or max(days) > self.last:
            return True
        return self.listed is not None and not days <= self.listed


def write_plates(conn: Connection, days: dict[str, set[date]]) -> None:
    """File plates with the days a read had them: new ones with their grams."""
    if not days:
        return
    known = plate_days(conn, list(days))
    changed = sorted(p for p, seen in days.items() if p not in known or known[p].lacks(seen))
    if not changed:
        return
    # Plates in key order: two batches filing the same plates lock them in the same order.
    # Another process may file the same plate at the same time: the widest span stays, and the
    # days each of them adds (a day both add is listed twice, which costs nothing).
    rows = []
    for plate in changed:
        seen, listed = days[plate], known[plate].listed if plate in known else frozenset()
        new = sorted(seen - listed) if listed is not None else []
        rows.append({"plate": plate, "first_day": min(seen), "last_day": max(seen), "days": new})
    _upsert_plates(conn, rows)
    _file_grams(conn, [p for p in changed if p not in known])


def _file_grams(conn: Connection, new: list[str]) -> None:
    """File new plates under their grams; one another process filed meanwhile is skipped."""
    if not new:
        return
    if conn.dialect.name == "postgresql":
        statement = (
            "INSERT INTO plate_gram_lists (plate, grams) SELECT plate, grams::integer[]"
            " FROM unnest(%(plates)b::text[], %(grams)b::text[]) AS t(plate, grams)"
            " ON CONFLICT DO NOTHING"
        )
        lists = [sorted(set(plate_grams_of(p))) for p in new]
        literals = ["{" + ",".join(map(str, grams)) + "}" for grams in lists]
        arrays.execute(conn, statement, {"plates": new, "grams": literals})
        return
    # In key order: the index takes them in one pass rather than at random places.
    grams = [{"gram": g, "plate": p} for g, p in sorted(_grams_of_plates(new))]
    if grams:
        _insert_ignoring(conn, plate_grams, grams)


def plate_days(conn: Connection, batch: list[str]) -> dict[str, PlateDays]:
    """Return the capture days of each of these plates that is filed."""
    if conn.dialect.name == "postgresql":
        statement = (
            "SELECT plate, first_day, last_day, days FROM plates"
            " WHERE plate = ANY(%(plates)b::text[])"
        )
        rows = arrays.execute(conn, statement, {"plates": batch})
        return {
            row.plate: PlateDays(
                row.first_day, row.last_day, None if row.days is None else frozenset(row.days)
            )
            for row in rows
        }
    query = select(plates.c.plate, plates.c.first_day, plates.c.last_day)
    return {
        row.plate: PlateDays(row.first_day, row.last_day, None)
        for chunk in arrays.chunks(batch, 10_000)
        for row in conn.execute(query.where(plates.c.plate.in_(chunk)))
    }


def _grams_of_plates(batch: Iterable[str]) -> set[tuple[int, str]]:
    return {(g, p) for p in batch for g in plate_grams_of(p)}


def unindex_reads(conn: Connection, *, read_ids: Sequence[int]) -> None:
    """Delete the derived rows of reads about to be deleted; drop plates no read will keep."""
    rows = conn.execute(
        select(reads.c.id, reads.c.plate, reads.c.captured_at, reads.c.alternatives).where(
            reads.c.id.in_(read_ids)
        )
    ).all()
    _unfile_alternatives(conn, rows)
    gone = {row.plate for row in rows}
    if not gone:
        return
    others = select(reads.c.plate).where(reads.c.plate.in_(list(gone)), reads.c.id.not_in(read_ids))
    _delete_plates(conn, sorted(gone - set(conn.scalars(others.distinct()))))


def _unfile_alternatives(conn: Connection, rows: Sequence[Any]) -> None:
    """Delete the read_plates rows of these reads (id, plate, captured_at, alternatives) by key.

    Every alternative other than the plate is tried, whatever its probability: a read filed
    under a rule that filed more of them loses those rows too.
    """
    keys = {
        (alternative.plate, row.captured_at, row.id)
        for row in rows
        for alternative in alternatives_from_column(row.alternatives)
        if alternative.plate and alternative.plate != row.plate
    }
    if not keys:
        return
    if conn.dialect.name != "postgresql":
        key = tuple_(read_plates.c.plate, read_plates.c.captured_at, read_plates.c.read_id)
        for chunk in arrays.chunks(sorted(keys), 300):  # three variables a key
            conn.execute(delete(read_plates).where(key.in_(chunk)))
        return
    # The days of the reads bound the partitions; in each, a probe of the primary key a row.
    types = {"plate": "text", "captured_at": "timestamptz", "read_id": "bigint"}
    columns = dict(zip(types, map(list, zip(*keys, strict=True)), strict=True))
    arrays.execute(
        conn,
        f"DELETE FROM read_plates AS r USING {arrays.unnest(types, 'k')}"
        " WHERE r.plate = k.plate AND r.captured_at = k.captured_at AND r.read_id = k.read_id"
        " AND r.captured_at BETWEEN %(first)s AND %(last)s",
        columns | {"first": min(columns["captured_at"]), "last": max(columns["captured_at"])},
    )


def forget_plates_before(conn: Connection, *, day: date) -> int:
    """Drop the plates no read has any more after whole days were purged; return how many.

    A plate whose latest read was captured before `day` and that no read captured before it
    still has (a held one) is gone: its cost is the plates that went, not the reads.
    """
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    remaining = select(reads.c.id).where(
        reads.c.plate == plates.c.plate, reads.c.captured_at < start
    )
    orphans = select(plates.c.plate).where(plates.c.last_day < day, ~exists(remaining))
    gone = sorted(conn.scalars(orphans))
    _delete_plates(conn, gone)
    return len(gone)


def _delete_plates(conn: Connection, gone: list[str]) -> None:
    if not gone:
        return
    if conn.dialect.name == "postgresql":
        for chunk in arrays.chunks(gone, 1000):
            conn.execute(delete(plate_gram_lists).where(plate_gram_lists.c.plate.in_(chunk)))
    else:
        pairs = [(g, p) for p in gone for g in set(plate_grams_of(p))]
        for chunk in arrays.chunks(pairs, 400):
            grams = tuple_(plate_grams.c.gram, plate_grams.c.plate)
            conn.execute(delete(plate_grams).where(grams.in_(chunk)))
    for chunk in arrays.chunks(gone, 1000):
        conn.execute(delete(plates).where(plates.c.plate.in_(chunk)))


def plates_fitting(conn: Connection, pattern: Pattern) -> list[str] | None:
    """Return the stored plates that may fit a pattern, or None when no gram narrows it down.

    The caller checks each returned plate exactly.
    """
    lengths = (
        range(pattern.min_length, MAX_PLATE_LENGTH + 1)
        if pattern.has_star
        else (pattern.min_length,)
    )
    found: set[str] = set()
    for length in lengths:
        for layout in layouts(pattern, length):
            codes = _best_grams(layout)
            if codes is None:
                return None
            found.update(_plates_with_grams(conn, codes))
    return sorted(found)


def _plates_with_grams(conn: Connection, codes: list[int]) -> list[str]:
    """Return the plates filed under every one of these grams."""
    if conn.dialect.name == "postgresql":
        statement = "SELECT plate FROM plate_gram_lists WHERE grams @> %(codes)b::integer[]"
        return [row.plate for row in arrays.execute(conn, statement, {"codes": codes})]
    selects = [select(plate_grams.c.plate).where(plate_grams.c.gram == c) for c in codes]
    query = selects[0] if len(selects) == 1 else selects[0].intersect(*selects[1:])
    return list(conn.scalars(query))


def all_plates(conn: Connection) -> Iterator[str]:
    """Yield every distinct stored plate (the slow path for a pattern no gram narrows)."""
    yield from conn.execute(select(plates.c.plate).execution_options(yield_per=10_000)).scalars()


def _best_grams(layout: str) -> list[int] | None:
    """Return the codes of up to two grams a layout places, or None when it places no pair."""
    length = len(layout)
    pairs = [
        (p, skip)
        for skip in (0, 1)
        for p in range(length - skip - 1)
        if layout[p] != "?" and layout[p + skip + 1] != "?"
    ]
    if not pairs:
        return None
    chosen = [pairs[0]]
    used = {pairs[0][0], pairs[0][0] + pairs[0][1] + 1}
    for p, skip in pairs[1:]:
        if {p, p + skip + 1} - used:
            chosen.append((p, skip))
            break
    return [gram(length, p, skip, layout[p], layout[p + skip + 1]) for p, skip in chosen]


# The derived tables' columns with their PostgreSQL array types, for inserts through unnest.
_ARRAY_TYPES = {
    "read_plates": {"plate": "text", "captured_at": "timestamptz", "read_id": "bigint"},
}


def _insert_ignoring(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping any already there."""
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table).prefix_with("OR IGNORE"), rows)
        return
    # One INSERT ... SELECT FROM unnest(arrays): psycopg's executemany sends a statement per
    # row, and a batch of 500 reads files hundreds of alternatives.
    types = _ARRAY_TYPES[table.name]
    arrays.execute(
        conn,
        f"INSERT INTO {table.name} ({', '.join(types)}) SELECT * FROM {arrays.unnest(types)}"
        " ON CONFLICT DO NOTHING",
        arrays.columns(rows, types),
    )


def _upsert_plates(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert plates; one already there keeps the widest span of its days and lists the new
    days (on PostgreSQL, up to MAX_LISTED_DAYS; past that the span stands)."""
    if conn.dialect.name != "postgresql":
        widen = (
            "ON CONFLICT (plate) DO UPDATE SET first_day = min(first_day, excluded.first_day),"
            " last_day = max(last_day, excluded.last_day)"
        )
        values = "VALUES (:plate, :first_day, :last_day)"
        statement = text(f"INSERT INTO plates (plate, first_day, last_day) {values} {widen}")
        days = bindparam("first_day", type_=Date), bindparam("last_day", type_=Date)
        conn.execute(statement.bindparams(*days), rows)
        return
    # The days are appended, not merged: a merge needs a subquery, which Citus does not take
    # in an upsert. The new days are those this process did not see listed.
    limit = MAX_LISTED_DAYS
    widen = (
        "ON CONFLICT (plate) DO UPDATE SET first_day = LEAST(plates.first_day, excluded.first_day),"
        " last_day = GREATEST(plates.last_day, excluded.last_day),"
        " days = CASE WHEN plates.days IS NULL OR excluded.days IS NULL"
        f" OR cardinality(plates.days) + cardinality(excluded.days) > {limit} THEN NULL"
        " ELSE plates.days || excluded.days END"
        " WHERE plates.first_day > excluded.first_day OR plates.last_day < excluded.last_day"
        " OR (plates.days IS NOT NULL"
        " AND (excluded.days IS NULL OR NOT plates.days @> excluded.days))"
    )
    types = {"plate": "text", "first_day": "date", "last_day": "date", "days": "text"}
    params = arrays.columns(rows, types)
    params["days"] = ["{" + ",".join(d.isoformat() for d in days) + "}" for days in params["days"]]
    arrays.execute(
        conn,
        "INSERT INTO plates (plate, first_day, last_day, days)"
        " SELECT plate, first_day, last_day, CASE WHEN cardinality(days::date[]) > "
        f"{limit} THEN NULL ELSE days::date[] END FROM {arrays.unnest(types)} {widen}",
        params,
    )
