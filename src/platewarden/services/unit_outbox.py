"""A patrol-car unit's store-and-forward queue: what waits for the station, and letting go.

Batches go in the order the reads were stored, with the reads' own ids, so a batch sent again
(the unit killed before it noted the station's answer) is stored once at the station. A read
leaves the car only after the station acknowledged it: deleted, or kept (marked as forwarded)
while an alert in the car refers to it.

The unit's audit trail follows its reads to the station (every record, in order, each stored
there once), and so do the officers' alert events, grouped with their alert: an alert's events
go once none of its reads still waits, so the station finds (or makes) the alert they belong to.
"""

import base64
from dataclasses import dataclass, field
from datetime import datetime
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


@dataclass(frozen=True)
class Records:
    """The unit's audit records and alert events waiting for the station, as it takes them."""

    audit: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    audit_upto: int | None = None  # the newest audit record id in this batch
    events_upto: int | None = None  # the newest alert event id in this batch

    def __bool__(self) -> bool:
        return bool(self.audit or self.alerts)

    def body(self) -> dict[str, Any]:
        """Return what the station's records endpoint takes."""
        return {"audit": self.audit, "alerts": self.alerts}


def next_records(rt: Runtime, actor: Actor, *, limit: int) -> Records:
    """Return the oldest audit records and alert events not yet acknowledged by the station."""
    authorize(rt, actor, Action.INGEST, parameters={"records": limit})
    with rt.engine.connect() as conn:
        audit_sent = int(store.get_state(conn, key=store.AUDIT_SENT) or 0)
        events_sent = int(store.get_state(conn, key=store.EVENTS_SENT) or 0)
        audit = store.audit_after(conn, after=audit_sent, limit=limit)
        events = store.alert_events_after(conn, after=events_sent, limit=limit)
        alerts = store.alerts_with_reads(conn, alert_ids=sorted({e["alert_id"] for e in events}))
    ready: list[Any] = []
    for event in events:  # in order: stop at the first whose alert's reads still wait
        if alerts[event["alert_id"]]["waiting"]:
            break
        ready.append(event)
    grouped: dict[int, dict[str, Any]] = {}
    for event in ready:
        alert = grouped.setdefault(event["alert_id"], _jsonable(alerts[event["alert_id"]]))
        alert.setdefault("events", []).append(
            {k: _plain(event[k]) for k in ("id", "at", "actor", "event", "detail")}
        )
    return Records(
        audit=[_audit_row(row) for row in audit],
        alerts=list(grouped.values()),
        audit_upto=audit[-1]["id"] if audit else None,
        events_upto=ready[-1]["id"] if ready else None,
    )


def acknowledge_records(rt: Runtime, actor: Actor, records: Records) -> None:
    """Note that the station has these audit records and alert events."""
    authorize(rt, actor, Action.INGEST, parameters={"records": len(records.audit)})
    with rt.engine.begin() as conn:
        if records.audit_upto is not None:
            store.set_state(conn, key=store.AUDIT_SENT, value=str(records.audit_upto))
        if records.events_upto is not None:
            store.set_state(conn, key=store.EVENTS_SENT, value=str(records.events_upto))
        now = rt.clock.now()
        store.set_state(conn, key=store.LAST_CONTACT, value=now.isoformat())
        record(
            conn,
            rt,
            actor,
            "unit_records_forward",
            parameters={"audit_upto": records.audit_upto, "events_upto": records.events_upto},
            result_count=len(records.audit),
        )


def set_aside(rt: Runtime, actor: Actor, queued: Queued, *, status: int, reason: str) -> None:
    """Take a read the station refused out of the queue, kept encrypted in the car (audited)."""
    authorize(rt, actor, Action.INGEST, parameters={"set_aside": queued.client_read_id})
    with rt.engine.begin() as conn:
        now = rt.clock.now()
        store.set_aside(
            conn,
            read_id=queued.read_id,
            client_read_id=queued.client_read_id,
            status=status,
            reason=reason[:2000],
            at=now,
        )
        store.set_state(conn, key=store.LAST_CONTACT, value=now.isoformat())
        record(
            conn,
            rt,
            actor,
            "unit_read_set_aside",
            outcome="refused",
            reason=reason[:2000],
            parameters={"read": queued.client_read_id, "status": status},
        )


def note_contact(rt: Runtime, actor: Actor) -> None:
    """Note that the station answered just now."""
    authorize(rt, actor, Action.INGEST)
    with rt.engine.begin() as conn:
        store.set_state(conn, key=store.LAST_CONTACT, value=rt.clock.now().isoformat())


def _audit_row(row: Any) -> dict[str, Any]:
    names = ("id", "at", "actor", "action", "outcome", "reason", "purpose", "case_number")
    rest = ("parameters", "result_count", "hash", "prev_hash")
    return {name: _plain(row[name]) for name in names + rest}


def _jsonable(alert: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in alert.items() if k != "waiting"}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _queued(rt: Runtime, row: Any) -> Queued:
    blobs = tuple(b for b in (row["frame_blob"], row["crop_blob"]) if b)
    fields: dict[str, Any] = {
        "read_id": row["client_read_id"],
        "plate": row["plate"],
        "captured_at": row["captured_at"].isoformat(),
        "confidence": row["confidence"],
        "camera": row["camera_name"],
        "jurisdiction": row["jurisdiction"],
        "alternatives": row["alternatives"],  # the station reads pairs and older objects alike
        "latitude": row["latitude"],
        "longitude": row["longitude"],
    }
    for name, blob in (("image_base64", row["frame_blob"]), ("crop_base64", row["crop_blob"])):
        if blob:
            fields[name] = base64.b64encode(rt.blobs.get(blob)).decode()
    return Queued(row["id"], row["client_read_id"], fields, blobs)
