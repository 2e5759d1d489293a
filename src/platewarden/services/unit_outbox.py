"""A patrol-car unit's store-and-forward queue: what waits for the station, and letting go.

Batches go in the order the reads were stored, with the reads' own ids, so a batch sent again
(the unit killed before it noted the station's answer) is stored once at the station. A read
leaves the car only after the station acknowledged it: deleted, or kept (marked as forwarded)
while an alert in the car refers to it.
"""

import base64
from dataclasses import dataclass
from typing import Any

from platewarden.domain import Actor
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.runtime import Runtime
from platewarden.store import unit_queue as store
from platewarden.store.reads import blobs_in_use, delete_reads

MAX_BATCH_BYTES = 3 * 2**20  # under the station's 5 MB body limit once in base64 and JSON


@dataclass(frozen=True)
class Queued:
    """A read waiting for the station, as the station takes it."""

    read_id: int
    client_read_id: str
    row: dict[str, Any]
    blobs: tuple[str, ...]


def next_batch(rt: Runtime, actor: Actor, *, limit: int) -> list[Queued]:
    """Return the oldest waiting reads with their images, up to a count and a size."""
    authorize(rt, actor, Action.INGEST, parameters={"forward": limit})
    with rt.engine.connect() as conn:
        rows = store.waiting_reads(conn, limit=limit)
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
    authorize(rt, actor, Action.INGEST, parameters={"acknowledged": len(batch)})
    ids = [q.read_id for q in batch]
    with rt.engine.begin() as conn:
        kept = store.alerted_read_ids(conn, read_ids=ids)
        now = rt.clock.now()
        marks = [(q.read_id, q.client_read_id) for q in batch if q.read_id in kept]
        store.mark_forwarded(conn, marks=marks, at=now)
        delete_reads(conn, ids=[i for i in ids if i not in kept])
        store.set_state(conn, key=store.LAST_CONTACT, value=now.isoformat())
        record(
            conn, rt, actor, "unit_forward", parameters={"kept": len(marks)}, result_count=len(ids)
        )
        blobs = {b for q in batch if q.read_id not in kept for b in q.blobs}
        unused = blobs - blobs_in_use(conn, blob_ids=blobs)
    for blob in unused:  # after the commit: a blob may outlive its read, never the other way
        rt.blobs.delete(blob)


def note_contact(rt: Runtime, actor: Actor) -> None:
    """Note that the station answered just now."""
    authorize(rt, actor, Action.INGEST)
    with rt.engine.begin() as conn:
        store.set_state(conn, key=store.LAST_CONTACT, value=rt.clock.now().isoformat())


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
