"""Retention in the car (426.5): the laptop keeps no read longer than the policy allows.

A read past the retention period is purged on the unit even when the station never had it (the
car out of reach too long, or the read set aside): the policy outranks the forwarding. The
purge is recorded in the unit's audit trail with how many reads the station never received,
and that record reaches the station with the next forwarding. The policy in force is the
station's, which comes with the hot lists.

As at the station, a day that ended before the retention cutoff and has no read left loses its
key (crypto-shredding): none of its images can be read again, even from a copy of the laptop's
disk taken before.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from platewarden.domain import Actor
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.runtime import Runtime
from platewarden.store import unit_queue as store
from platewarden.store.alerts import detach_reads
from platewarden.store.reads import blobs_in_use, days_with_reads, delete_reads


@dataclass(frozen=True)
class UnitPurge:
    """What a purge on the unit removed."""

    cutoff: datetime
    purged: int
    never_forwarded: int  # still waiting for the station: it will never have them
    set_aside: int
    days_shredded: tuple[str, ...] = ()  # UTC days (YYYY-MM-DD) whose image key was destroyed


def purge_expired(rt: Runtime, actor: Actor) -> UnitPurge:
    """Delete the reads (and images) older than the policy's retention, destroy the keys of
    the days ended before it with no read left; record the purge."""
    authorize(rt, actor, Action.INGEST, parameters={"purge": True})
    cutoff = rt.clock.now() - timedelta(days=rt.policy.retention.days)
    keyed_days = set(rt.blobs.stored_days())
    with rt.engine.begin() as conn:
        expired = store.expired_reads(conn, before=cutoff)
        ids = [row["id"] for row in expired]
        blobs = {b for row in expired for b in (row["frame_blob"], row["crop_blob"]) if b}
        if ids:
            detach_reads(conn, read_ids=ids)
            store.forget_marks(conn, read_ids=ids)
            delete_reads(conn, ids=ids)
        ended = {day for day in keyed_days if _ended(day, cutoff)}
        done = UnitPurge(
            cutoff,
            len(ids),
            sum(bool(row["waiting"]) for row in expired),
            sum(bool(row["set_aside"]) for row in expired),
            tuple(sorted(ended - days_with_reads(conn, days=ended))),
        )
        if not ids and not done.days_shredded:
            return done
        record(
            conn,
            rt,
            actor,
            "unit_purge",
            parameters={
                "cutoff": cutoff.isoformat(),
                "retention_days": rt.policy.retention.days,
                "never_forwarded": done.never_forwarded,
                "set_aside": done.set_aside,
                "days_shredded": list(done.days_shredded),
            },
            result_count=done.purged,
        )
        unused = blobs - blobs_in_use(conn, blob_ids=blobs)
    for blob in unused:  # after the commit, as acknowledge does
        rt.blobs.delete(blob)
    for day in done.days_shredded:  # a cut before this: the next purge finds the day again
        rt.blobs.shred_day(day)
    return done


def _ended(day: str, cutoff: datetime) -> bool:
    """True for a UTC day wholly before the cutoff: no read of it may be stored any more."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(days=1) <= cutoff
