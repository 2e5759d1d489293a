"""Reads partitioned by capture day on PostgreSQL: a purge drops a day instead of deleting rows.

`reads` and `read_plates` are partitioned by range of `captured_at`, one partition a UTC day
(`reads_20261203`, `read_plates_20261203`), each with a default partition (`reads_kept`,
`read_plates_kept`) for rows of a day that has no partition: the held reads of a day the purge
dropped, moved there before the drop, or reads of a day whose partition was not made yet.
Partitions are our own few statements rather than pg_partman: one table pair, one range a day,
and creation that must also move kept rows in, which pg_partman does not do for us.

SQLite has none of this: its purge deletes rows (store.reads).
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine, Select, column, delete, func, select, table, text, update
from sqlalchemy.exc import DBAPIError

from platewarden.store.image_ids import ImageId
from platewarden.store.schema import alert_reads, alerts, hold_reads

PARTITIONED = ("reads", "read_plates")
_DAY_PARTITION = re.compile(r"^(?:reads|read_plates)_(\d{8})$")
log = logging.getLogger(__name__)
_LOCK = 0x5057_5041  # advisory lock key of partition changes ("PWPA")


def is_partition(name: str) -> bool:
    """True for a partition's table name (migrations compare only the parent tables)."""
    return bool(_DAY_PARTITION.match(name)) or name in {kept_name(parent) for parent in PARTITIONED}


def partition_name(table: str, day: date) -> str:
    """Return the name of a table's partition for a UTC day."""
    return f"{table}_{day:%Y%m%d}"


def kept_name(table: str) -> str:
    """Return the name of a table's default partition."""
    return f"{table}_kept"


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the first moment of a UTC day and of the next."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def is_partitioned(conn: Connection) -> bool:
    """True where reads are partitioned by day (PostgreSQL)."""
    return conn.dialect.name == "postgresql"


def partition_days(conn: Connection) -> set[date]:
    """Return the days that have a reads partition."""
    names = conn.scalars(
        text(
            "SELECT child.relname FROM pg_inherits"
            " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
            " WHERE pg_inherits.inhparent = 'reads'::regclass"
        )
    )
    found = (_DAY_PARTITION.match(name) for name in names)
    return {datetime.strptime(m.group(1), "%Y%m%d").date() for m in found if m}


def create_kept_partitions(conn: Connection) -> None:
    """Create the default partitions of the partitioned tables."""
    for parent in PARTITIONED:
        conn.exec_driver_sql(f"CREATE TABLE {kept_name(parent)} PARTITION OF {parent} DEFAULT")


def create_day(conn: Connection, day: date) -> bool:
    """Give a day its partitions, moving in its kept rows; False when it had them already.

    The new tables are filled and checked before they are attached, which locks the parent
    only against other schema changes: ingest and search go on.
    """
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    if day in partition_days(conn):
        return False
    start, end = day_bounds(day)
    for parent in PARTITIONED:
        name, kept = partition_name(parent, day), kept_name(parent)
        conn.exec_driver_sql(f"CREATE TABLE {name} (LIKE {parent} INCLUDING DEFAULTS)")
        conn.execute(
            text(
                f"WITH moved AS (DELETE FROM {kept} WHERE captured_at >= :start"
                f" AND captured_at < :end RETURNING *) INSERT INTO {name} SELECT * FROM moved"
            ),
            {"start": start, "end": end},
        )
        low, high = f"'{start.isoformat()}'", f"'{end.isoformat()}'"
        conn.exec_driver_sql(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_day"
            f" CHECK (captured_at >= {low} AND captured_at < {high})"
        )
        conn.exec_driver_sql(
            f"ALTER TABLE {parent} ATTACH PARTITION {name} FOR VALUES FROM ({low}) TO ({high})"
        )
    return True


class PartitionCache:
    """The days known to have partitions, so that ingest asks the database only for new days."""

    def __init__(self) -> None:
        self._known: set[date] = set()

    def ensure(self, engine: Engine, days: Iterable[date]) -> list[date]:
        """Create the partitions these days lack, each in its own short transaction.

        Return the days that got one. A day that cannot get its partition now (another process
        holds a conflicting lock) keeps its reads in the default partition, from where its
        partition takes them later.
        """
        wanted = set(days) - self._known
        if not wanted or engine.dialect.name != "postgresql":
            return []
        with engine.connect() as conn:
            self._known |= partition_days(conn)
        made = []
        for day in sorted(wanted - self._known):
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                    if create_day(conn, day):
                        made.append(day)
            except DBAPIError as exc:
                note = "day %s keeps its reads in the default partition for now: %s"
                log.warning(note, day, exc.orig)
                continue
            self._known.add(day)
        return made

    def forget(self, day: date) -> None:
        """Forget a day whose partitions were dropped."""
        self._known.discard(day)


@dataclass(frozen=True)
class DroppedDay:
    """What dropping a day's partitions did."""

    day: date
    reads_dropped: int
    reads_kept: int
    kept_blobs: frozenset[str]  # images the day's held reads still use


def drop_day(conn: Connection, day: date, *, held: Select[tuple[int]]) -> DroppedDay:
    """Move a day's held reads to the kept partitions, forget the rest in alerts, drop the day.

    The cost is that of the day's held reads and alert hits, not of its size: the day's reads
    and their alternatives go with their tables.
    """
    conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    reads_day, plates_day = (partition_name(t, day) for t in PARTITIONED)
    images = (column("frame_blob", ImageId), column("crop_blob", ImageId))
    day_reads = table(reads_day, column("id"), *images)
    kept_rows = list(conn.execute(select(day_reads).where(day_reads.c.id.in_(held))))
    kept_ids = [row.id for row in kept_rows]
    total = conn.scalar(select(func.count()).select_from(day_reads)) or 0
    gone = select(day_reads.c.id).where(day_reads.c.id.not_in(held))
    conn.execute(delete(alert_reads).where(alert_reads.c.read_id.in_(gone)))
    forget = update(alerts).where(alerts.c.read_id.in_(gone))
    conn.execute(forget.values(read_id=None, plate=None, matched_text=None))
    conn.execute(delete(hold_reads).where(hold_reads.c.read_id.in_(gone)))
    for parent, name, key in (("reads", reads_day, "id"), ("read_plates", plates_day, "read_id")):
        conn.exec_driver_sql(f"ALTER TABLE {parent} DETACH PARTITION {name}")
        if kept_ids:
            conn.execute(
                text(f"INSERT INTO {parent} SELECT * FROM {name} WHERE {key} = ANY(:kept)"),
                {"kept": kept_ids},
            )
        conn.exec_driver_sql(f"DROP TABLE {name}")
    blobs = frozenset(b for row in kept_rows for b in (row.frame_blob, row.crop_blob) if b)
    return DroppedDay(day, total - len(kept_ids), len(kept_ids), blobs)
