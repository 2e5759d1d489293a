"""Store-and-forward: every read the car takes waits in its own database until the station has it.

The queue is the unit's reads table itself: a read is in it from the commit that stored it.
Batches go in the order the reads were stored, with the reads' own ids, so a batch sent again
(the unit killed before it noted the station's answer) is stored once at the station. A read
leaves the car only after the station acknowledged it: deleted, or kept (marked as forwarded)
while an alert in the car refers to it.
"""

import base64
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, union

from platewarden.domain import Actor
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.runtime import Runtime
from platewarden.store.reads import blobs_in_use, delete_reads
from platewarden.store.schema import alert_reads, alerts, cameras, reads, unit_forwarded
from platewarden.unit.state import LAST_CONTACT, set_state
from platewarden.unit.station import Station, StationUnreachableError

BATCH = 20
MAX_BATCH_BYTES = 3 * 2**20  # under the station's 5 MB body limit once in base64 and JSON


@dataclass(frozen=True)
class Queued:
    """A read waiting for the station, as the station takes it."""

    read_id: int
    client_read_id: str
    row: dict[str, Any]
    blobs: tuple[str, ...]


@dataclass
class Forwarded:
    """What a forwarding run did."""

    sent: int = 0
    stored: int = 0  # new at the station
    duplicates: int = 0  # the station had them already (sent again after a cut)
    retries: int = 0


def queued_count(conn: Connection) -> int:
    """Count the reads waiting for the station."""
    return conn.scalar(select(func.count()).select_from(reads).where(_waiting())) or 0


def next_batch(rt: Runtime, actor: Actor, *, limit: int = BATCH) -> list[Queued]:
    """Return the oldest waiting reads with their images, up to a count and a size."""
    authorize(rt, actor, Action.INGEST, parameters={"forward": limit})
    query = (
        select(reads, cameras.c.name.label("camera_name"))
        .outerjoin(cameras, cameras.c.id == reads.c.camera_id)
        .where(_waiting())
        .order_by(reads.c.id)
        .limit(limit)
    )
    with rt.engine.connect() as conn:
        rows = list(conn.execute(query).mappings())
    batch: list[Queued] = []
    size = 0
    for row in rows:
        queued = _queued(rt, row)
        size += sum(len(v) for k, v in queued.row.items() if k.endswith("_base64"))
        if batch and size > MAX_BATCH_BYTES:
            break
        batch.append(queued)
    return batch


def acknowledge(rt: Runtime, actor: Actor, batch: list[Queued]) -> None:
    """Let go of reads the station acknowledged: delete them, or mark those an alert keeps."""
    ids = [q.read_id for q in batch]
    with rt.engine.begin() as conn:
        kept = set(
            conn.scalars(
                union(
                    select(alert_reads.c.read_id).where(alert_reads.c.read_id.in_(ids)),
                    select(alerts.c.read_id).where(alerts.c.read_id.in_(ids)),
                )
            )
        )
        now = rt.clock.now()
        marks = [
            {"read_id": q.read_id, "client_read_id": q.client_read_id, "forwarded_at": now}
            for q in batch
            if q.read_id in kept
        ]
        if marks:
            conn.execute(insert(unit_forwarded), marks)
        delete_reads(conn, ids=[i for i in ids if i not in kept])
        set_state(conn, LAST_CONTACT, now.isoformat())
        record(
            conn, rt, actor, "unit_forward", parameters={"kept": len(marks)}, result_count=len(ids)
        )
        blobs = {b for q in batch if q.read_id not in kept for b in q.blobs}
        unused = blobs - blobs_in_use(conn, blob_ids=blobs)
    for blob in unused:  # after the commit: a blob may outlive its read, never the other way
        rt.blobs.delete(blob)


def forward(
    rt: Runtime,
    actor: Actor,
    station: Station,
    *,
    batch_size: int = BATCH,
    give_up_after_s: float | None = 300.0,
    base_delay_s: float = 1.0,
    max_delay_s: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Forwarded:
    """Send every waiting read in order, backing off while the station is away.

    Returns when the queue is empty, or raises StationUnreachableError once the station has
    been away for `give_up_after_s` (None: wait for it however long).
    """
    done = Forwarded()
    delay, away_since = base_delay_s, None
    while batch := next_batch(rt, actor, limit=batch_size):
        try:
            receipt = station.push_reads([q.row for q in batch])
        except StationUnreachableError:
            away_since = away_since or time.monotonic()
            if give_up_after_s is not None and time.monotonic() - away_since > give_up_after_s:
                raise
            done.retries += 1
            sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, max_delay_s)
            continue
        acknowledge(rt, actor, batch)
        delay, away_since = base_delay_s, None
        done.sent += len(batch)
        done.stored += int(receipt.get("stored", 0))
        done.duplicates += int(receipt.get("duplicates", 0))
    return done


def note_contact(rt: Runtime) -> None:
    """Note that the station answered just now."""
    with rt.engine.begin() as conn:
        set_state(conn, LAST_CONTACT, rt.clock.now().isoformat())


def _waiting() -> Any:
    forwarded = select(unit_forwarded.c.read_id).where(
        unit_forwarded.c.read_id == reads.c.id,
        unit_forwarded.c.client_read_id == reads.c.client_read_id,
    )
    return ~forwarded.exists()


def _queued(rt: Runtime, row: Any) -> Queued:
    blobs = tuple(b for b in (row["frame_blob"], row["crop_blob"]) if b)
    fields: dict[str, Any] = {
        "read_id": row["client_read_id"],
        "plate": row["plate"],
        "captured_at": row["captured_at"].isoformat(),
        "confidence": row["confidence"],
        "camera": row["camera_name"],
        "jurisdiction": row["jurisdiction"],
        "alternatives": row["alternatives"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
    }
    for field, blob in (("image_base64", row["frame_blob"]), ("crop_base64", row["crop_blob"])):
        if blob:
            fields[field] = base64.b64encode(rt.blobs.get(blob)).decode()
    return Queued(row["id"], row["client_read_id"], fields, blobs)
