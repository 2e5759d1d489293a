"""Retention in the car (426.5): the laptop keeps no read longer than the policy allows.

A read past the retention period is purged on the unit even when the station never had it (the
car out of reach too long, or the read set aside): the policy outranks the forwarding. The
purge is recorded in the unit's audit trail with how many reads the station never received,
and that record reaches the station with the next forwarding. The policy in force is the
station's, which comes with the hot lists.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from platewarden.domain import Actor
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.runtime import Runtime
from platewarden.store import unit_queue as store
from platewarden.store.alerts import detach_reads
from platewarden.store.reads import blobs_in_use, delete_reads


@dataclass(frozen=True)
class UnitPurge:
    """What a purge on the unit removed."""

    cutoff: datetime
    purged: int
    never_forwarded: int  # still waiting for the station: it will never have them
    set_aside: int


def purge_expired(rt: Runtime, actor: Actor) -> UnitPurge:
    """Delete the reads (and images) older than the policy's retention; record the purge."""
    authorize(rt, actor, Action.INGEST, parameters={"purge": True})
    cutoff = rt.clock.now() - timedelta(days=rt.policy.retention.days)
    with rt.engine.begin() as conn:
        expired = store.expired_reads(conn, before=cutoff)
        if not expired:
            return UnitPurge(cutoff, 0, 0, 0)
        ids = [row["id"] for row in expired]
        done = UnitPurge(
            cutoff,
            len(ids),
            sum(bool(row["waiting"]) for row in expired),
            sum(bool(row["set_aside"]) for row in expired),
        )
        detach_reads(conn, read_ids=ids)
        store.forget_marks(conn, read_ids=ids)
        delete_reads(conn, ids=ids)
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
            },
            result_count=done.purged,
        )
        blobs = {b for row in expired for b in (row["frame_blob"], row["crop_blob"]) if b}
        unused = blobs - blobs_in_use(conn, blob_ids=blobs)
    for blob in unused:  # after the commit, as acknowledge does
        rt.blobs.delete(blob)
    return done
