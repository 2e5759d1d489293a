"""Purge (§ 46-5-118): delete reads and images past retention unless held.

Deletes run in small batches, each its own short transaction, so ingest keeps writing between
them. A day whose reads are all gone loses its key: its images cannot be read back from a backup.
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from platewarden.domain import Actor, PurgeRun
from platewarden.policy.access import Action
from platewarden.policy.retention import retention_cutoff
from platewarden.services.audit import authorize, record
from platewarden.services.runtime import Runtime
from platewarden.store import reads as store
from platewarden.store.alerts import detach_reads
from platewarden.store.blobs import blob_day
from platewarden.store.purge_runs import add_purge_run, list_purge_runs

DEFAULT_BATCH = 2000

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
    shredded = _shred_finished_days(rt, days, run.cutoff)
    rt.blobs.sweep_partial()  # files a writer killed mid-image left behind
    return replace(run, reads_purged=purged, images_purged=images, days_shredded=shredded)


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


def list_runs(rt: Runtime, actor: Actor, *, limit: int = 50) -> list[PurgeRun]:
    """Return the latest purge runs."""
    authorize(rt, actor, Action.VIEW_PURGE_RUNS)
    with rt.engine.connect() as conn:
        return list_purge_runs(conn, limit=limit)
