"""Purge (§ 46-5-118): delete reads and images past retention unless held.

On PostgreSQL a day wholly past retention is dropped with its partition once its held reads
are moved out. Other expired reads (all of them on SQLite) are deleted in small batches, each
its own short transaction, so ingest keeps writing between them. Plates no read has any more
leave the plate index. A day whose reads are all gone loses its key: its images cannot be read
back from a backup.
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from platewarden.domain import Actor, PurgeRun
from platewarden.policy.access import Action
from platewarden.policy.retention import retention_cutoff
from platewarden.services.audit import authorize, record
from platewarden.services.runtime import Runtime
from platewarden.store import reads as store
from platewarden.store.alerts import detach_reads
from platewarden.store.blobs import blob_day
from platewarden.store.partitions import (
    DroppedDay,
    day_bounds,
    drop_day,
    is_partitioned,
    partition_days,
)
from platewarden.store.plate_index import forget_plates_before
from platewarden.store.purge_runs import add_purge_run, list_purge_runs

DEFAULT_BATCH = 2000
DAYS_AHEAD = 7  # partitions made ahead by the partition job

Progress = Callable[[int, int], None]  # (reads purged so far, reads due in all)


def purge(
    rt: Runtime,
    actor: Actor,
    *,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> PurgeRun:
    """Purge expired, unheld reads and their images; record the run (counts only)."""
    authorize(rt, actor, Action.PURGE, parameters={"dry_run": dry_run})
    started = rt.clock.now()
    cutoff = retention_cutoff(rt.policy, started)
    with rt.engine.connect() as conn:
        kept = store.count_held_expired(conn, cutoff=cutoff)
        due = store.count_expired(conn, cutoff=cutoff) - kept
    run = PurgeRun(None, cutoff, started, None, dry_run, due, 0, kept)
    if not dry_run:
        run = _delete_due(rt, run, batch_size, progress, due)
    run = replace(run, finished_at=rt.clock.now())
    with rt.engine.begin() as conn:
        run = replace(run, id=add_purge_run(conn, run=run))
        record(
            conn,
            rt,
            actor,
            "purge",
            reason="dry run" if dry_run else "retention period ended",
            parameters={"cutoff": cutoff.isoformat(), "run": run.id, "dry_run": dry_run},
            result_count=run.reads_purged,
        )
    return run


def _delete_due(
    rt: Runtime, run: PurgeRun, batch_size: int, progress: Progress | None, due: int
) -> PurgeRun:
    purged = 0
    images = 0
    days: set[str] = set()
    for dropped in _drop_expired_days(rt, run.cutoff):
        purged += dropped.reads_dropped
        day = dropped.day.isoformat()
        images += rt.blobs.delete_day(day, keep=dropped.kept_blobs)
        days.add(day)
        if progress:
            progress(purged, due)
    while True:
        with rt.engine.begin() as conn:
            batch = store.expired_reads(conn, cutoff=run.cutoff, limit=batch_size)
            if not batch:
                break
            read_ids = [read_id for read_id, _, _ in batch]
            detach_reads(conn, read_ids=read_ids)  # alerts keep their outcome, lose the plate
            purged += store.delete_reads(conn, ids=read_ids)
        blob_ids = {b for _, frame, crop in batch for b in (frame, crop) if b}
        images += _delete_unused_blobs(rt, blob_ids)
        days.update(blob_day(b) for b in blob_ids)
        if progress:
            progress(purged, due)
    with rt.engine.begin() as conn:
        forget_plates_before(conn, day=run.cutoff.astimezone(UTC).date())
    shredded = _shred_finished_days(rt, days, run.cutoff)
    rt.blobs.sweep_partial()  # files a writer killed mid-image left behind
    return replace(run, reads_purged=purged, images_purged=images, days_shredded=shredded)


def _drop_expired_days(rt: Runtime, cutoff: datetime) -> Iterator[DroppedDay]:
    """Drop the partitions of days wholly before the cutoff (PostgreSQL), a day at a time."""
    with rt.engine.connect() as conn:
        if not is_partitioned(conn):
            return
        days = sorted(d for d in partition_days(conn) if day_bounds(d)[1] <= cutoff)
    for day in days:
        with rt.engine.begin() as conn:
            dropped = drop_day(conn, day, held=store.held_read_ids())
        rt.partitions.forget(day)
        yield dropped


def _delete_unused_blobs(rt: Runtime, blob_ids: set[str]) -> int:
    # A frame with two plates is one blob for two reads; it stays while a (held) read uses it.
    with rt.engine.connect() as conn:
        in_use = store.blobs_in_use(conn, blob_ids=blob_ids)
    return sum(rt.blobs.delete(b) for b in blob_ids - in_use)


def _shred_finished_days(rt: Runtime, days: set[str], cutoff: datetime) -> tuple[str, ...]:
    """Destroy the keys of days wholly before the cutoff that no longer have reads."""
    candidates = days | set(rt.blobs.stored_days())
    ended = {
        d
        for d in candidates
        if datetime.fromisoformat(d).replace(tzinfo=UTC) + timedelta(days=1) <= cutoff
    }
    with rt.engine.connect() as conn:
        still_used = store.days_with_reads(conn, days=ended)
    shredded = sorted(ended - still_used)
    for day in shredded:
        rt.blobs.shred_day(day)
    return tuple(shredded)


def prepare_days(rt: Runtime, actor: Actor, *, days_ahead: int = DAYS_AHEAD) -> list[date]:
    """Make the partitions of today and the coming days where reads are partitioned.

    Storage is made ready, no read is touched: the purge's permission, nothing audited.
    """
    authorize(rt, actor, Action.PURGE, parameters={"days_ahead": days_ahead})
    today = rt.clock.now().astimezone(UTC).date()
    wanted = [today + timedelta(days=n) for n in range(days_ahead + 1)]
    return rt.partitions.ensure(rt.engine, wanted)


def list_runs(rt: Runtime, actor: Actor, *, limit: int = 50) -> list[PurgeRun]:
    """Return the latest purge runs."""
    authorize(rt, actor, Action.VIEW_PURGE_RUNS)
    with rt.engine.connect() as conn:
        return list_purge_runs(conn, limit=limit)
