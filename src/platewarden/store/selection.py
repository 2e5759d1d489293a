"""Select the reads a ReadSelection names, a page at a time, where the indexes pay.

Each condition becomes SQL that an index answers: plates by reads(plate, captured_at), OCR
alternatives by read_plates, wildcard patterns by the plates' grams (plate_index: the
distinct plates that may fit, checked exactly here), cameras by reads(camera_id, captured_at)
and areas by reads(area_cell, captured_at). What SQL cannot say exactly (the circle inside its
cells, the number of OCR substitutions) is checked here on the few rows the SQL returns.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    any_,
    bindparam,
    false,
    or_,
    select,
    union,
)
from sqlalchemy.dialects import postgresql

from platewarden.domain import Read, normalise_plate
from platewarden.geo import bounding_box, distance_m
from platewarden.matching import HotlistIndex, IndexEntry, is_pattern, parse_pattern
from platewarden.policy.model import MatchingRules
from platewarden.selection import ReadSelection
from platewarden.store.plate_index import (
    PlateDays,
    all_plates,
    area_cells,
    plate_days,
    plates_fitting,
)
from platewarden.store.reads import read_query, to_read
from platewarden.store.schema import cameras, read_plates, reads

MAX_CELLS = 1_000  # a wider area is found by its bounding box and the time window alone
MAX_VARIANTS = 5_000  # look-alike spellings tried by index; beyond, a scan of the window
# Reads' keys looked up first; beyond, the database joins them. Their ids and times are bound
# one by one: twice this stays under SQLite's 32,766 variables a statement.
MAX_KEYS = 10_000
Key = tuple[datetime, int]  # (captured_at, id): the order of results, and a page's cursor


@dataclass(frozen=True)
class Page:
    """Reads in key order, and the key to continue after when more may follow."""

    reads: list[Read]
    after: Key | None


@dataclass
class _Plan:
    conditions: list[ColumnElement[bool]]
    keep: Callable[[Read], bool] | None  # the exact check SQL leaves to Python, if any
    keys: list[Key] | None = None  # the reads' keys in order, when a plate look-up found them


def select_reads(
    conn: Connection,
    selection: ReadSelection,
    *,
    rules: MatchingRules,
    after: Key | None = None,
    limit: int | None = None,
) -> Page:
    """Return the reads a selection names, oldest first: all, or a page of `limit` after a key."""
    plan = _plan(conn, selection, rules)
    if plan is None:
        return Page([], None)
    if plan.keys is not None:
        return _page_of_keys(conn, plan, plan.keys, after, limit)
    query = read_query().where(*plan.conditions).order_by(reads.c.captured_at, reads.c.id)
    keep = plan.keep or (lambda _read: True)
    if limit is None:
        rows = conn.execute(query.where(*_after(after))).mappings()
        return Page([read for read in map(to_read, rows) if keep(read)], None)
    chunk = _chunk_size(limit, plan.keep)
    found: list[Read] = []
    key = after
    while True:
        batch = [
            to_read(r) for r in conn.execute(query.where(*_after(key)).limit(chunk)).mappings()
        ]
        found.extend(read for read in batch if keep(read))
        if len(found) > limit or len(batch) < chunk:
            break
        key = (batch[-1].captured_at, batch[-1].id)
    return _page(found, limit)


def _page_of_keys(
    conn: Connection, plan: _Plan, keys: list[Key], after: Key | None, limit: int | None
) -> Page:
    """Fetch the reads of known keys, a slice of keys at a time, until the page is full.

    Only the page's keys are sent: PostgreSQL then plans and probes the days of the page, not
    every day of every key (a wildcard's hundreds of reads over ninety days).
    """
    pending = [key for key in keys if after is None or key > after]
    size = len(pending) if limit is None else _chunk_size(limit, plan.keep)
    keep = plan.keep or (lambda _read: True)
    found: list[Read] = []
    for start in range(0, len(pending), max(size, 1)):
        chunk = pending[start : start + size]
        query = read_query().where(
            *plan.conditions,
            _one_of(conn, reads.c.id, sorted({key[1] for key in chunk})),
            _one_of(conn, reads.c.captured_at, sorted({key[0] for key in chunk})),
        )
        rows = conn.execute(query.order_by(reads.c.captured_at, reads.c.id)).mappings()
        found.extend(read for read in map(to_read, rows) if keep(read))
        if limit is not None and len(found) > limit:
            break
    return _page(found, limit)


def _chunk_size(limit: int, keep: Callable[[Read], bool] | None) -> int:
    """Rows fetched at a time for a page: more when the Python check may drop some."""
    return limit + 1 if keep is None else max(4 * (limit + 1), 1_000)


def _page(found: list[Read], limit: int | None) -> Page:
    """Return the first `limit` reads found (all with None), with the key after them if more."""
    if limit is None:
        return Page(found, None)
    page = found[:limit]
    more = len(found) > limit
    return Page(page, (page[-1].captured_at, page[-1].id) if more and page else None)


def _after(key: Key | None) -> list[ColumnElement[bool]]:
    if key is None:
        return []
    at = bindparam(None, key[0], type_=reads.c.captured_at.type)
    # The redundant first condition lets both databases range-scan their time indexes.
    return [
        reads.c.captured_at >= at,
        or_(reads.c.captured_at > at, and_(reads.c.captured_at == at, reads.c.id > key[1])),
    ]


def _plan(conn: Connection, selection: ReadSelection, rules: MatchingRules) -> _Plan | None:
    """Return the SQL conditions and the Python check of a selection, or None if nothing fits."""
    conditions = _window(reads.c.captured_at, selection)
    checks: list[Callable[[Read], bool]] = []
    if selection.read_ids:
        conditions.append(reads.c.id.in_(list(selection.read_ids)))
    if selection.cameras:
        ids = list(conn.scalars(select(cameras.c.id).where(cameras.c.name.in_(selection.cameras))))
        if not ids:
            return None
        conditions.append(reads.c.camera_id.in_(ids))
    if selection.area is not None:
        in_box, in_circle = _area(*selection.area)
        conditions += in_box
        checks.append(in_circle)
    keys = None
    if selection.plates:
        plates = _Plates(conn, selection, rules)
        if plates.nothing:
            return None
        if not plates.scan:
            query = plates.key_query(conn, selection)
            found = [] if query is None else conn.execute(query.limit(MAX_KEYS + 1)).all()
            if not found:
                return None
            if len(found) > MAX_KEYS:  # a very common pattern: the database joins them
                conditions.append(reads.c.id.in_(select(query.subquery().c.id)))
            else:
                keys = sorted({(at, read_id) for read_id, at in found})
        if plates.check is not None:
            checks.append(plates.check)
    keep = None
    if checks:
        keep = checks[0] if len(checks) == 1 else (lambda r: all(check(r) for check in checks))
    return _Plan(conditions, keep, keys)


def _area(
    lat: float, lon: float, radius: float
) -> tuple[list[ColumnElement[bool]], Callable[[Read], bool]]:
    """Return the SQL conditions of an area's box (by its cells) and the exact circle's check."""
    box = bounding_box(lat, lon, radius)
    cells = area_cells(box)
    conditions: list[ColumnElement[bool]] = []
    if len(cells) <= MAX_CELLS:
        conditions.append(reads.c.area_cell.in_(cells))
    conditions += [
        reads.c.latitude.between(box[0], box[1]),
        reads.c.longitude.between(box[2], box[3]),
    ]
    return (
        conditions,
        lambda r: (
            r.latitude is not None
            and r.longitude is not None
            and distance_m(lat, lon, r.latitude, r.longitude) <= radius
        ),
    )


class _Plates:
    """The plate terms of a selection: the plates SQL looks up and what Python checks after."""

    def __init__(self, conn: Connection, selection: ReadSelection, rules: MatchingRules) -> None:
        self.best: set[str] = set()  # best plates to look up
        self.alternatives: set[str] = set()  # OCR alternatives to look up in read_plates
        self.scan = False  # some term has no index look-up: the window is read and checked
        indexes: list[HotlistIndex] = []
        for text in selection.plates:
            term = text.strip().upper()
            if not selection.ocr_equivalent:
                if is_pattern(term):
                    pattern = parse_pattern(term, min_fixed_chars=rules.min_fixed_chars)
                    fitting = plates_fitting(conn, pattern)
                    candidates = all_plates(conn) if fitting is None else fitting
                    self.best.update(p for p in candidates if pattern.matches(p))
                else:
                    self.best.add(normalise_plate(term))
                continue
            term = term if is_pattern(term) else normalise_plate(term)
            index = HotlistIndex.build(
                [IndexEntry(0, term, None, is_pattern(term))],
                confusable_classes=rules.confusable_classes,
                max_substitutions=rules.max_substitutions,
                min_fixed_chars=rules.min_fixed_chars,
            )
            indexes.append(index)
            if is_pattern(term):
                # Alternatives have no grams: a look-alike pattern reads the window and checks.
                self.scan = True
                continue
            variants = _variants(term, rules.confusable_classes, rules.max_substitutions)
            if variants is None:
                self.scan = True
            else:
                self.best.update(variants)
                self.alternatives.update(variants)
        self.check: Callable[[Read], bool] | None = None
        if indexes:
            self.check = lambda r: any(
                i.match(
                    [(r.plate, r.confidence)] + [(a.plate, a.confidence) for a in r.alternatives]
                )
                for i in indexes
            )

    @property
    def nothing(self) -> bool:
        """Tell whether no stored read can fit (no plate to look up, none to scan for)."""
        return not (self.scan or self.best or self.alternatives)

    def key_query(self, conn: Connection, selection: ReadSelection) -> Any:
        """Return the query of the keys (id, captured_at) of the reads with these plates, or
        None when no read has them.

        The keys come first, by the plate indexes alone, in the days the plates were read;
        then the page's reads by id and capture time. One query with the plates and the page's
        order would let PostgreSQL walk the time index of every day's partition for a page of
        a rare plate, and plan for all ninety days where the keys name a few.
        """
        days = plate_days(conn, sorted(self.best))  # the plates some read has, and their days
        if not days and not self.alternatives:
            return None
        keys: Any = select(reads.c.id, reads.c.captured_at).where(
            _one_of(conn, reads.c.plate, sorted(days)),
            *_window(reads.c.captured_at, selection),
            *_days(reads.c.captured_at, days.values()),
        )
        if self.alternatives:
            by_alternative = select(read_plates.c.read_id, read_plates.c.captured_at).where(
                _one_of(conn, read_plates.c.plate, sorted(self.alternatives)),
                *_window(read_plates.c.captured_at, selection),
            )
            keys = union(keys, by_alternative)
        return keys


def _one_of(conn: Connection, column: Any, values: list[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL one array parameter, which plans faster in every
    day's partition than hundreds of parameters."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def _days(column: Any, known: Iterable[PlateDays]) -> list[ColumnElement[bool]]:
    """Limit a look-up to the days its plates were read: PostgreSQL plans only those days."""
    runs = _day_runs(known)
    if not runs:
        return [false()]
    if len(runs) > _MAX_DAY_RUNS:  # many plates: their whole span plans faster
        runs = [(runs[0][0], runs[-1][1])]
    after = timedelta(days=1)
    ranges = [
        and_(column >= _midnight(first), column < _midnight(last + after)) for first, last in runs
    ]
    return [or_(*ranges)]


# More runs of days than this are read as one span: each run is a condition PostgreSQL plans.
_MAX_DAY_RUNS = 16


def _day_runs(known: Iterable[PlateDays]) -> list[tuple[date, date]]:
    """Return the runs of consecutive days (first, last) that the plates' days make."""
    spans = sorted(
        span
        for plate in known
        for span in (
            [(plate.first, plate.last)]
            if plate.listed is None
            else [(day, day) for day in plate.listed]
        )
    )
    runs: list[tuple[date, date]] = []
    for first, last in spans:
        if runs and first <= runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _window(column: Any, selection: ReadSelection) -> list[ColumnElement[bool]]:
    conditions = []
    if selection.since is not None:
        conditions.append(column >= selection.since)
    if selection.until is not None:
        conditions.append(column < selection.until)
    return conditions


def _members(classes: Iterable[str]) -> dict[str, str]:
    """Map each character to every character of its confusable class."""
    return {char: cls for cls in classes for char in cls}


def _variants(text: str, classes: Iterable[str], substitutions: int) -> set[str] | None:
    """Return the spellings within `substitutions` look-alike swaps, or None if too many."""
    members = _members(classes)
    found = {text}
    frontier = {text}
    for _ in range(substitutions):
        frontier = {
            spelled[:i] + other + spelled[i + 1 :]
            for spelled in frontier
            for i, char in enumerate(spelled)
            for other in members.get(char, "")
            if other != char
        } - found
        found |= frontier
        if len(found) > MAX_VARIANTS:
            return None
    return found
