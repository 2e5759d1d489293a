"""Search at scale: N reads over 90 days, each search shape timed through the search service.

Prints JSON lines (../shared/BENCHMARKS.md) to stdout and progress to stderr: for each shape
(exact, wildcard over 90 days, OCR-equivalent, area 1 km + 24 h, wildcard + 24 h, camera + 24 h)
the median and p95 over --queries searches, half for plates that exist and half for plates that
don't; the disk used per million reads; reads a second ingested through the service by 1, 2 and
4 processes at once (--processes); and the seconds to purge the oldest day.

    python benchmarks/scale.py --rows 1000000 --backend sqlite
    python benchmarks/scale.py --rows 10000000 --backend postgresql
"""

import argparse
import hashlib
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from platewarden.domain import Actor, Alternative, NewRead
from platewarden.policy.access import Role
from platewarden.services.ingest import ingest_reads
from platewarden.services.purge import purge
from platewarden.services.runtime import open_runtime, upgrade_schema
from platewarden.services.search import SearchQuery, search_reads
from platewarden.settings import Settings, sqlite_url
from platewarden.store.image_ids import pack_image_id
from platewarden.store.plate_index import (
    MAX_LISTED_DAYS,
    area_cell,
    plate_grams_of,
    searchable_alternatives,
)

INVESTIGATOR = Actor("bench-investigator", frozenset({Role.INVESTIGATOR}))
CUSTODIAN = Actor("bench-custodian", frozenset({Role.RECORDS_CUSTODIAN}))
FEED = Actor("bench-feed", frozenset({Role.SYSTEM}))
INGEST_BATCH = 500
LETTERS, DIGITS = "ABCDEFGHJKLMNPRSTUVWXYZ", "0123456789"
FORMATS = ("LLLDDDD", "DLLLDDD", "DDDLLL", "LLDDDDD", "DLLDDD", "LLLDDD", "DDLLDDD")
LOOK_ALIKES = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5"}
CENTRE = (46.59, -112.03)  # Helena, MT
CAMERAS = 70
DAYS = 90
CHUNK = 200_000
# The probabilities of the reader's five texts for a plate, as it gives them on real photos (to
# four significant digits, as capture stores them): the best, a look-alike, and three of the
# beam's leftovers (80% of the texts after the first are under 0.005 on the us photos and
# us-crops), which are kept but not filed for search.
READER_CONFIDENCES = (0.9264, 0.05871, 0.003163, 0.0008127, 0.0001412)


def log(message: str) -> None:
    """Print progress for a person, on stderr."""
    print(message, file=sys.stderr, flush=True)


def new_plate(rng: random.Random) -> str:
    """Return a plate in one of the formats states issue."""
    return "".join(rng.choice(LETTERS if c == "L" else DIGITS) for c in rng.choice(FORMATS))


def misread(rng: random.Random, plate: str) -> str:
    """Return an OCR alternative: a look-alike swapped, else one character misread."""
    spots = [i for i, c in enumerate(plate) if c in LOOK_ALIKES]
    i = rng.choice(spots) if spots else rng.randrange(len(plate))
    swap = LOOK_ALIKES.get(plate[i]) or rng.choice(LETTERS + DIGITS)
    return plate[:i] + swap + plate[i + 1 :]


def camera_positions(rng: random.Random) -> list[tuple[float, float]]:
    """Return fixed camera positions within about 15 km of the centre."""
    return [
        (CENTRE[0] + rng.uniform(-0.13, 0.13), CENTRE[1] + rng.uniform(-0.18, 0.18))
        for _ in range(CAMERAS)
    ]


def generate(
    rows: int, now: datetime, seed: int
) -> tuple[list[str], Iterator[list[tuple[Any, ...]]]]:
    """Return the plates and chunks of read tuples (reads columns plus the alternatives)."""
    rng = random.Random(seed)
    plates = list({new_plate(rng) for _ in range(max(1, rows // 5))})
    positions = camera_positions(rng)
    start = now - timedelta(days=DAYS)
    step = DAYS * 86400 / rows  # seconds between reads

    def chunks() -> Iterator[list[tuple[Any, ...]]]:
        for first in range(0, rows, CHUNK):
            chunk = []
            for n in range(first, min(rows, first + CHUNK)):
                plate = rng.choice(plates)
                camera = rng.randrange(CAMERAS)
                lat, lon = positions[camera]
                # In capture order, as cameras send them: each day's partition fills in turn.
                at = start + timedelta(seconds=(n + rng.random()) * step)
                alternatives = [plate, *(misread(rng, plate) for _ in READER_CONFIDENCES[1:])]
                chunk.append((n, camera + 1, plate, at, lat, lon, alternatives))
            yield chunk

    return plates, chunks()


def load(engine: Engine, rows: int, now: datetime, seed: int) -> list[str]:
    """Write the cameras, reads and derived plate rows straight into the store, in bulk.

    The generator bypasses the services on purpose: ingest checks, matches and audits every
    read (about 10,000 a second), which would take most of an hour at 10 M reads and measure
    ingest, not search. The rows are the ones insert_reads writes for a camera's read (with the
    ids of its frame and crop, not the images), derived rows included.
    """
    _, chunks = generate(rows, now, seed)
    positions = camera_positions(random.Random(seed))
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cameras (id, name, kind, status, latitude, longitude, created_at)"
                " VALUES (:id, :name, 'fixed', 'active', :lat, :lon, :at)"
            ),
            [
                {"id": i + 1, "name": f"cam-{i + 1}", "lat": lat, "lon": lon, "at": now}
                for i, (lat, lon) in enumerate(positions)
            ],
        )
    columns = (
        "id, source, source_name, client_read_id, camera_id, plate, jurisdiction, confidence,"
        " alternatives, captured_at, ingested_at, latitude, longitude, area_cell, frame_blob,"
        " crop_blob"
    )
    done = 0
    start = (now - timedelta(days=DAYS)).date()
    days: dict[str, int] = {}  # each plate's capture days, a bit a day from the first
    for chunk in chunks:
        reads, alternatives = [], []
        for n, camera, plate, at, lat, lon, alts in chunk:
            days[plate] = days.get(plate, 0) | 1 << (at.date() - start).days
            stamp = at if pg else at.replace(tzinfo=None).isoformat(" ", "microseconds")
            texts = list(zip(alts, READER_CONFIDENCES, strict=True))
            alt_json = json.dumps(texts, separators=(",", ":"))  # the column's [plate, p] pairs
            reads.append(
                (
                    n + 1,
                    "camera",
                    f"cam-{camera}",
                    f"r{n}",
                    camera,
                    plate,
                    "MT",
                    READER_CONFIDENCES[0],
                    alt_json,
                    stamp,
                    stamp,
                    lat,
                    lon,
                    area_cell(lat, lon),
                    *map(pack_image_id, image_ids(at, n)),  # as the column keeps them
                )
            )
            alternatives += [(a, stamp, n + 1) for a in searchable_alternatives(plate, texts)]
        _write(engine, "reads", columns, reads)
        _write(engine, "read_plates", "plate, captured_at, read_id", alternatives)
        done += len(chunk)
        log(f"  {done:,} reads")
    stored = sorted(days)
    _write(
        engine,
        "plates",
        "plate, first_day, last_day, days" if pg else "plate, first_day, last_day",
        [plate_row(p, days[p], start, listed=pg) for p in stored],
    )
    for first in range(0, len(stored), CHUNK):
        some = stored[first : first + CHUNK]
        if pg:  # a row a plate with its grams, under a GIN index
            lists = [(p, sorted(set(plate_grams_of(p)))) for p in some]
            _write(engine, "plate_gram_lists", "plate, grams", lists)
        else:
            grams = [(g, p) for p in some for g in set(plate_grams_of(p))]
            _write(engine, "plate_grams", "gram, plate", grams)
    return stored


def plate_row(plate: str, mask: int, start: date, *, listed: bool) -> tuple[Any, ...]:
    """Return a plate's row as ingest files it: its first and last day and, where the store
    lists them (PostgreSQL), its days up to MAX_LISTED_DAYS (NULL past that: the span)."""
    seen = [start + timedelta(days=d) for d in range(mask.bit_length()) if mask >> d & 1]
    if not listed:
        return plate, seen[0], seen[-1]
    return plate, seen[0], seen[-1], seen if len(seen) <= MAX_LISTED_DAYS else None


def image_ids(at: datetime, n: int) -> tuple[str, str]:
    """Return the ids a camera read's frame and crop get in the image store (day/sha256).

    Only the ids are written, not images: they take their room in every read's row.
    """
    day = at.astimezone(UTC).date().isoformat()
    frame, crop = (hashlib.sha256(f"{kind}{n}".encode()).hexdigest() for kind in "fc")
    return f"{day}/{frame}", f"{day}/{crop}"


def _write(engine: Engine, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """Bulk-insert rows: COPY on PostgreSQL, executemany on SQLite."""
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        if engine.dialect.name == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            # A bulk load's cache: the indexes of 10 M reads overflow the store's 32 MB at once.
            raw.execute("PRAGMA cache_size=-2000000")
            marks = ", ".join("?" * len(columns.split(",")))
            raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def timed(run: Callable[[int], object], count: int) -> list[float]:
    """Return the milliseconds of `count` runs."""
    spent = []
    for n in range(count):
        began = time.perf_counter()
        run(n)
        spent.append((time.perf_counter() - began) * 1000)
    return spent


def shapes(
    plates: list[str], now: datetime, rng: random.Random
) -> dict[str, Callable[[int], SearchQuery]]:
    """Return each search shape as a maker of its n-th query (even n: a plate that exists)."""
    positions = camera_positions(random.Random(0))

    def plate(n: int) -> str:
        return rng.choice(plates) if n % 2 == 0 else "QQ" + new_plate(rng)[2:] + "Q"

    def wildcard(n: int) -> str:
        p = rng.choice(plates) if n % 2 == 0 else new_plate(rng)
        return p[0] + "?" + p[2:4] + "*"  # like 7?X4*: three fixed characters, no run of three

    def day(n: int) -> tuple[datetime, datetime]:
        end = now - timedelta(hours=rng.uniform(0, 24 * (DAYS - 1)))
        return end - timedelta(hours=24), end

    def area(n: int) -> SearchQuery:
        lat, lon = positions[n % CAMERAS] if n % 2 == 0 else (CENTRE[0] + 0.5, CENTRE[1])
        since, until = day(n)
        return SearchQuery(
            "recent_crime_vicinity",
            "B-1",
            since=since,
            until=until,
            latitude=lat,
            longitude=lon,
            radius_m=1000,
        )

    def camera(n: int) -> SearchQuery:
        since, until = day(n)
        return SearchQuery(
            "major_crime",
            "B-1",
            plate=wildcard(n),
            camera=f"cam-{n % CAMERAS + 1}",
            since=since,
            until=until,
        )

    def wildcard_day(n: int) -> SearchQuery:
        since, until = day(n)
        return SearchQuery("major_crime", "B-1", plate=wildcard(n), since=since, until=until)

    return {
        "exact": lambda n: SearchQuery("stolen_vehicle", "B-1", plate=plate(n)),
        "wildcard": lambda n: SearchQuery("major_crime", "B-1", plate=wildcard(n)),
        "ocr_equivalent": lambda n: SearchQuery(
            "major_crime", "B-1", plate=misread(rng, plate(n)), ocr_equivalent=True
        ),
        "area": area,
        "wildcard_24h": wildcard_day,
        "camera_24h": camera,
    }


def disk_mb(engine: Engine, path: Path | None) -> float:
    """Return the megabytes the store takes."""
    if path is not None:
        return sum(f.stat().st_size for f in path.parent.glob(path.name + "*")) / 1e6
    with engine.connect() as conn:
        size = conn.scalar(
            text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        )
    return float(size or 0) / 1e6


def bench(url: str, data_dir: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Load one database and time every search shape on it."""
    settings = Settings(data_dir=data_dir, database_url=url)
    upgrade_schema(settings)
    rt = open_runtime(settings)
    backend = rt.engine.dialect.name
    now = rt.clock.now()
    with rt.engine.connect() as conn:
        loaded = conn.scalar(text("SELECT EXISTS (SELECT 1 FROM reads)"))
    if loaded:  # a schema kept from an earlier run (--keep)
        log(f"{backend}: reusing the reads already loaded")
        plates, _ = generate(args.rows, now, args.seed)
    else:
        log(f"{backend}: generating {args.rows:,} reads")
        began = time.perf_counter()
        rt.partitions.ensure(rt.engine, {(now - timedelta(days=d)).date() for d in range(DAYS + 2)})
        plates = load(rt.engine, args.rows, now, args.seed)
        log(f"{backend}: loaded in {time.perf_counter() - began:.0f} s; analysing")
        with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if backend == "postgresql":
                conn.execute(text("SELECT setval('reads_id_seq', (SELECT max(id) FROM reads))"))
                conn.execute(text("VACUUM ANALYZE"))
            else:
                conn.execute(text("ANALYZE"))
    rng = random.Random(args.seed + 2)
    results = []
    for name, make in shapes(plates, now, rng).items():
        search_reads(rt, INVESTIGATOR, make(0))  # warm the caches this shape uses
        spent = timed(lambda n, make=make: search_reads(rt, INVESTIGATOR, make(n)), args.queries)
        spent.sort()
        result = {
            "benchmark": "scale",
            "backend": backend,
            "rows": args.rows,
            "query": name,
            "p50_ms": round(statistics.median(spent), 1),
            "p95_ms": round(spent[int(0.95 * (len(spent) - 1))], 1),
            "queries": args.queries,
        }
        log(f"{backend}: {name}: {result['p50_ms']} / {result['p95_ms']} ms")
        results.append(result)
    path = Path(make_url(url).database or "") if backend == "sqlite" else None
    with rt.engine.connect() as conn:  # a kept schema also holds the reads earlier runs ingested
        stored = conn.scalar(text("SELECT count(*) FROM reads"))
    results.append(
        {
            "benchmark": "scale",
            "backend": backend,
            "rows": args.rows,
            "mb_per_million_reads": round(disk_mb(rt.engine, path) / (stored / 1e6), 1),
        }
    )
    rt.close()
    for processes in args.processes:
        results.append(ingest_rate(settings, processes, args))
    results.append(purge_one_day(settings, now, args))
    return results


class BenchClock:
    """A clock set where the benchmark needs it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        """Return the benchmark's time."""
        return self.at


def purge_one_day(settings: Settings, now: datetime, args: argparse.Namespace) -> dict[str, Any]:
    """Time the purge of the oldest day: the clock set so that retention ends with that day."""
    first = (now - timedelta(days=DAYS)).date()
    end_of_first = datetime(first.year, first.month, first.day, tzinfo=UTC) + timedelta(days=1)
    rt = open_runtime(settings)
    rt.clock = BenchClock(end_of_first + timedelta(days=rt.policy.retention.days))
    began = time.perf_counter()
    run = purge(rt, CUSTODIAN)
    seconds = time.perf_counter() - began
    rt.close()
    backend = rt.engine.dialect.name
    log(f"{backend}: purge of one day: {run.reads_purged:,} reads in {seconds:.2f} s")
    return {
        "benchmark": "scale",
        "backend": backend,
        "rows": args.rows,
        "operation": "purge_one_day",
        "reads_purged": run.reads_purged,
        "seconds": round(seconds, 2),
    }


def ingest_rate(settings: Settings, processes: int, args: argparse.Namespace) -> dict[str, Any]:
    """Reads a second stored by `processes` processes ingesting batches at once."""
    context = multiprocessing.get_context("spawn")
    ready, start = context.Barrier(processes + 1), context.Event()
    counts = context.Queue()
    workers = [
        context.Process(
            target=ingest_worker,
            args=(settings, n, args, (ready, start, counts)),
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    ready.wait()
    start.set()
    stored = sum(counts.get(timeout=args.ingest_seconds + 300) for _ in workers)
    for worker in workers:
        worker.join()
    backend = make_url(settings.database_url).get_backend_name()
    rate = stored / args.ingest_seconds
    log(f"{backend}: ingest with {processes} processes: {rate:,.0f} reads/s")
    return {
        "benchmark": "scale",
        "backend": "postgresql" if backend.startswith("postgres") else backend,
        "rows": args.rows,
        "operation": "ingest",
        "processes": processes,
        "reads_per_s": round(rate),
        "seconds": args.ingest_seconds,
        "batch": INGEST_BATCH,
    }


def ingest_worker(
    settings: Settings, worker: int, args: argparse.Namespace, sync: tuple[Any, Any, Any]
) -> None:
    """Ingest batches of new reads through the service until the time is up; report the count.

    Four reads in five are of plates the store has (about five reads a plate in 90 days).
    """
    ready, start, counts = sync  # a barrier, the starting signal, the queue of counts
    rt = open_runtime(settings)
    rng = random.Random(worker * 7919 + int(time.time()))
    positions = camera_positions(random.Random(0))
    known, _ = generate(args.rows, rt.clock.now(), args.seed)
    made = 0

    def batch() -> list[NewRead]:
        nonlocal made
        reads = []
        for _ in range(INGEST_BATCH):
            made += 1
            plate = rng.choice(known) if rng.random() < 0.8 else new_plate(rng)
            camera = rng.randrange(CAMERAS)
            reads.append(
                NewRead(
                    client_read_id=f"w{worker}-{rng.getrandbits(64):x}-{made}",
                    plate=plate,
                    captured_at=rt.clock.now() - timedelta(seconds=rng.uniform(0, 600)),
                    confidence=READER_CONFIDENCES[0],
                    camera=f"cam-{camera + 1}",
                    jurisdiction="MT",
                    alternatives=tuple(
                        Alternative(misread(rng, plate) if n else plate, c)
                        for n, c in enumerate(READER_CONFIDENCES)
                    ),
                    latitude=positions[camera][0],
                    longitude=positions[camera][1],
                )
            )
        return reads

    ingest_reads(rt, FEED, batch())  # warm: connections, cameras, the day's partition
    ready.wait()
    start.wait()
    stored = 0
    deadline = time.perf_counter() + args.ingest_seconds
    while time.perf_counter() < deadline:
        stored += ingest_reads(rt, FEED, batch()).stored
    counts.put(stored)
    rt.close()


def main() -> None:
    """Run the benchmark and print its JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--processes", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--ingest-seconds", type=float, default=20.0)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--keep",
        metavar="SCHEMA",
        help="PostgreSQL: load into this schema and keep it; a later run with the same --rows"
        " and --seed reuses it (an ingest and a purge change it a little)",
    )
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="pw-scale-") as tmp:
        folder = Path(tmp)
        if args.backend in ("sqlite", "both"):
            results += bench(sqlite_url(folder / "sqlite"), folder / "sqlite", args)
        if args.backend in ("postgresql", "both"):
            schema = args.keep or f"scale_{uuid.uuid4().hex[:8]}"
            url = make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
            admin = create_engine(make_url(args.postgres).set(drivername="postgresql+psycopg"))
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
            try:
                results += bench(url.render_as_string(hide_password=False), folder / "pg", args)
            finally:
                if not args.keep:
                    with admin.begin() as conn:
                        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
