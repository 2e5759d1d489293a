"""Alerts: raised when a read hits a hot-list entry, confirmed by an officer before they count.

A hit is not reasonable suspicion (426.4 f). The alert carries what the officer needs to judge
it: the read's images, the entry, how it matched, whether the jurisdictions differ and whether
the list was stale.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from platewarden.domain import (
    Actor,
    Alert,
    AlertStatus,
    Alternative,
    HotlistEntry,
    HotlistVersion,
    Outcome,
    Read,
    RejectReason,
)
from platewarden.matching import HotlistIndex, IndexEntry, Match
from platewarden.policy.access import Action
from platewarden.policy.alerts import next_status
from platewarden.policy.retention import retention_cutoff
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem
from platewarden.services.matcher import current_index
from platewarden.services.runtime import Runtime
from platewarden.store import alerts as store
from platewarden.store import hotlists as hotlist_store
from platewarden.store import unit_queue
from platewarden.store.alternatives import alternatives_from_column
from platewarden.store.reads import find_reads, iter_matchable


@dataclass(frozen=True)
class MatchableRead:
    """What matching needs of a stored read."""

    id: int
    plate: str
    confidence: float
    jurisdiction: str | None
    alternatives: tuple[Alternative, ...]
    captured_at: datetime


def raise_alerts(rt: Runtime, conn: Connection, reads: Sequence[MatchableRead]) -> list[int]:
    """Match reads against the hot lists in the caller's transaction; return new alert ids."""
    index = current_index(rt, conn)
    hits = [
        (read, match)
        for read in reads
        for match in index.match(_candidates(read), read.jurisdiction)
    ]
    if not hits:
        return []
    versions = {v.id: v for v in hotlist_store.current_versions(conn).values()}
    copy_stale = _copy_stale(rt, conn)
    fold = timedelta(minutes=rt.policy.alerts.fold_minutes)
    entries: dict[int, HotlistEntry | None] = {}
    created: list[int] = []
    for read, match in hits:
        if match.entry_id not in entries:
            entries[match.entry_id] = hotlist_store.get_entry(conn, entry_id=match.entry_id)
        entry = entries[match.entry_id]
        if entry is None or not _in_force(entry, read.captured_at):
            continue
        version = versions.get(entry.version_id) if entry.version_id else None
        folded = store.open_alert_to_fold(
            conn, entry_id=entry.id, plate=read.plate, captured_at=read.captured_at, fold=fold
        )
        if folded is not None:
            store.fold_hit(conn, alert_id=folded, read_id=read.id, at=read.captured_at)
            continue
        values = _alert_values(rt, entry, version, read, match, historical=False)
        values["stale"] = values["stale"] or copy_stale
        created.append(store.add_alert(conn, values=values, read_id=read.id))
    return created


def _copy_stale(rt: Runtime, conn: Connection) -> bool:
    """True in a patrol car whose copy of the hot lists is older than the policy allows: an
    entry cleared at the station since may still be in it, whichever list it came from (or
    none, an entry put in by hand). A station holds no copy."""
    as_of = unit_queue.get_state(conn, key=unit_queue.AS_OF)
    max_age = timedelta(hours=rt.policy.hotlists.max_age_hours)
    return as_of is not None and rt.clock.now() - datetime.fromisoformat(as_of) > max_age


def _alert_values(
    rt: Runtime,
    entry: HotlistEntry,
    version: HotlistVersion | None,
    read: MatchableRead,
    match: Match,
    *,
    historical: bool,
) -> dict[str, object]:
    max_age = timedelta(hours=rt.policy.hotlists.max_age_hours)
    return {
        "entry_id": entry.id,
        "version_id": entry.version_id,
        "plate": read.plate,
        "matched_text": match.matched_text,
        "kind": str(match.kind),
        "score": match.score,
        "explanation": match.explanation,
        "jurisdiction_mismatch": match.jurisdiction_mismatch,
        "stale": version is not None and rt.clock.now() - version.loaded_at > max_age,
        "historical": historical,
        "created_at": rt.clock.now(),
        "first_hit_at": read.captured_at,
        "last_hit_at": read.captured_at,
        # Seen longer ago than alerts fold over: a car that was offline, or a late upload.
        "late": not historical and rt.clock.now() - read.captured_at > _late_after(rt),
    }


def _late_after(rt: Runtime) -> timedelta:
    """How old a read may be when it arrives before its alert is marked late."""
    return timedelta(minutes=max(rt.policy.alerts.fold_minutes, 1))


def raise_historical_alerts(rt: Runtime, conn: Connection, entry: HotlistEntry) -> list[int]:
    """Check a new entry against every read still within retention; return historical alerts."""
    rules = rt.policy.matching
    index = HotlistIndex.build(
        [IndexEntry(entry.id, entry.plate, entry.jurisdiction, entry.is_pattern)],
        confusable_classes=rules.confusable_classes,
        max_substitutions=rules.max_substitutions,
        min_fixed_chars=rules.min_fixed_chars,
    )
    since = retention_cutoff(rt.policy, rt.clock.now())
    created: list[int] = []
    for row in iter_matchable(conn, since=since):
        read = MatchableRead(
            id=row["id"],
            plate=row["plate"],
            confidence=row["confidence"],
            jurisdiction=row["jurisdiction"],
            alternatives=alternatives_from_column(row["alternatives"]),
            captured_at=row["captured_at"],
        )
        for match in index.match(_candidates(read), read.jurisdiction):
            values = _alert_values(rt, entry, None, read, match, historical=True)
            created.append(store.add_alert(conn, values=values, read_id=read.id))
    return created


def publish(rt: Runtime, alert_ids: Sequence[int]) -> None:
    """Hand committed alerts to the publisher (subscribers and webhooks); returns at once."""
    if not alert_ids:
        return
    with rt.engine.connect() as conn:
        for alert_id in alert_ids:
            alert = store.get_alert(conn, alert_id=alert_id)
            entry = hotlist_store.get_entry(conn, entry_id=alert.entry_id) if alert else None
            if alert is None or entry is None:
                continue
            rt.publisher.publish(
                {
                    "id": alert.id,
                    "status": alert.status.value,
                    "plate": alert.plate,
                    "matched_text": alert.matched_text,
                    "kind": alert.kind,
                    "score": round(alert.score, 3),
                    "explanation": alert.explanation,
                    "stale_list": alert.stale,
                    "jurisdiction_mismatch": alert.jurisdiction_mismatch,
                    "historical": alert.historical,
                    "purpose": entry.purpose,
                    "entry_id": entry.id,
                    "entry_plate": None if entry.confidential else entry.plate,
                    "created_at": alert.created_at.isoformat(),
                    "note": "A hit is not reasonable suspicion: confirm by eye and by other means.",
                }
            )


def _candidates(read: MatchableRead) -> list[tuple[str, float]]:
    candidates = [(a.plate, a.confidence) for a in read.alternatives]
    if not candidates or candidates[0][0] != read.plate:
        candidates.insert(0, (read.plate, read.confidence))
    return candidates


def _in_force(entry: HotlistEntry, at: datetime) -> bool:
    if entry.removed_at is not None:
        return False
    return entry.expires_at is None or entry.expires_at > at


def list_alerts(
    rt: Runtime,
    actor: Actor,
    *,
    statuses: Sequence[AlertStatus] | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[Alert]:
    """Return alerts, newest first (the list itself is audited as an access)."""
    authorize(rt, actor, Action.VIEW_ALERTS)
    with rt.engine.begin() as conn:
        found = store.list_alerts(conn, statuses=statuses, since=since, limit=limit)
        record(
            conn,
            rt,
            actor,
            "list_alerts",
            parameters={"statuses": [s.value for s in statuses or ()]},
            result_count=len(found),
        )
    return found


@dataclass(frozen=True)
class AlertChange:
    """A new alert or a step of one (viewed, confirmed …), with the cursor that follows it."""

    cursor: tuple[int, int]  # (alert id, alert event id) seen so far
    change: str  # "raised", or the step's event
    alert: Alert


def changes_since(
    rt: Runtime, actor: Actor, *, after: tuple[int, int] | None, limit: int = 100
) -> tuple[list[AlertChange], tuple[int, int]]:
    """Return the alerts raised and the steps taken after a cursor, oldest first, and the
    cursor to ask from next; with no cursor, nothing yet and the cursor of now.

    It reads the alerts table itself, so alerts raised by any process (a worker on another
    machine) reach every listener; a delivery is audited as an access.
    """
    authorize(rt, actor, Action.VIEW_ALERTS)
    with rt.engine.connect() as conn:
        if after is None:
            return [], store.latest_ids(conn)
        last_alert, last_event = after
        changes = [
            AlertChange((alert.id, last_event), "raised", alert)
            for alert in store.alerts_after(conn, alert_id=last_alert, limit=limit)
        ]
        seen_alert = changes[-1].cursor[0] if changes else last_alert
        for event_id, alert_id, event in store.events_after(conn, event_id=last_event, limit=limit):
            alert = store.get_alert(conn, alert_id=alert_id)
            if alert is not None:
                changes.append(AlertChange((seen_alert, event_id), event, alert))
    if not changes:
        return [], after
    with rt.engine.begin() as conn:
        record(
            conn,
            rt,
            actor,
            "alerts_stream",
            parameters={"alerts": sorted({c.alert.id for c in changes})},
            result_count=len(changes),
        )
    return changes, changes[-1].cursor


@dataclass(frozen=True)
class AlertView:
    """An alert with what the officer compares: the entry and the reads with their images."""

    alert: Alert
    entry: HotlistEntry | None  # None: confidential details withheld
    entry_withheld_reason: str | None
    read_ids: list[int]
    crop_image: bytes | None
    frame_image: bytes | None
    read: Read | None = None  # the first read: where and when the plate was seen


def view_alert(rt: Runtime, actor: Actor, *, alert_id: int) -> AlertView:
    """Show an alert; a first view moves it from new to viewed."""
    authorize(rt, actor, Action.VIEW_ALERTS, parameters={"alert": alert_id})
    with rt.engine.begin() as conn:
        alert = _advance(rt, conn, actor, alert_id, event="viewed", detail={})
        entry = hotlist_store.get_entry(conn, entry_id=alert.entry_id)
        withheld = None
        if entry is not None and entry.confidential and not actor.confidential_access:
            entry, withheld = None, "confidential entry: details need the confidential-data grant"
        read_ids = store.alert_read_ids(conn, alert_id=alert_id)
        first = find_reads(conn, ids=[alert.read_id]) if alert.read_id else []
        record(
            conn,
            rt,
            actor,
            "view_alert",
            purpose=entry.purpose if entry else None,
            case_number=entry.case_number if entry else None,
            parameters={"alert": alert_id, "confidential_withheld": withheld is not None},
        )
    return AlertView(
        alert=alert,
        entry=entry,
        entry_withheld_reason=withheld,
        read_ids=read_ids,
        crop_image=_image(rt, first[0].crop_blob) if first else None,
        frame_image=_image(rt, first[0].frame_blob) if first else None,
        read=first[0] if first else None,
    )


def _image(rt: Runtime, blob_id: str | None) -> bytes | None:
    """Return an image for an officer to compare; a tampered one is refused, never shown."""
    return rt.blobs.get(blob_id) if blob_id else None


def confirm_visually(rt: Runtime, actor: Actor, *, alert_id: int) -> Alert:
    """Record that the officer compared the captured plate image with the read and they agree.

    Only a member who has viewed the alert's images may say so.
    """
    authorize(rt, actor, Action.HANDLE_ALERTS, parameters={"alert": alert_id})
    with rt.engine.connect() as conn:
        alert = store.get_alert(conn, alert_id=alert_id)
    if alert is None:
        raise NotFoundError(f"there is no alert {alert_id}")
    if not any(e.event == "viewed" and e.actor == actor.name for e in alert.events):
        raise InvalidInputError(
            f"alert {alert_id}: not done:",
            [Problem("visual_confirmation", "view the alert's images first")],
        )
    return _handle(rt, actor, alert_id, "visual_confirmation", {})


def confirm_by_other_means(
    rt: Runtime, actor: Actor, *, alert_id: int, how: str, answer: str
) -> Alert:
    """Record the confirmation by other means (NCIC or dispatch re-check): the hit is confirmed."""
    authorize(rt, actor, Action.HANDLE_ALERTS, parameters={"alert": alert_id})
    problems = [
        Problem(name, "is required")
        for name, v in (("how", how), ("answer", answer))
        if not v.strip()
    ]
    if problems:
        raise InvalidInputError("not confirmed:", problems)
    return _handle(rt, actor, alert_id, "other_confirmation", {"how": how, "answer": answer})


def reject(
    rt: Runtime, actor: Actor, *, alert_id: int, reason: RejectReason, note: str = ""
) -> Alert:
    """Reject a hit with its reason (misread, wrong jurisdiction, entry no longer valid …)."""
    authorize(rt, actor, Action.HANDLE_ALERTS, parameters={"alert": alert_id})
    if reason == RejectReason.OTHER and not note.strip():
        raise InvalidInputError(
            "not rejected:", [Problem("note", "say why when the reason is other")]
        )
    return _handle(rt, actor, alert_id, "rejected", {"reason": reason.value, "note": note})


def record_outcome(
    rt: Runtime, actor: Actor, *, alert_id: int, outcome: Outcome, note: str = ""
) -> Alert:
    """Record what came of a confirmed hit, for the yearly report."""
    return _handle(rt, actor, alert_id, "outcome", {"outcome": outcome.value, "note": note})


def _handle(rt: Runtime, actor: Actor, alert_id: int, event: str, detail: dict[str, str]) -> Alert:
    authorize(rt, actor, Action.HANDLE_ALERTS, parameters={"alert": alert_id, "event": event})
    with rt.engine.begin() as conn:
        alert = _advance(rt, conn, actor, alert_id, event=event, detail=detail)
        record(conn, rt, actor, f"alert_{event}", parameters={"alert": alert_id, **detail})
    return alert


def _advance(
    rt: Runtime,
    conn: Connection,
    actor: Actor,
    alert_id: int,
    *,
    event: str,
    detail: dict[str, str],
) -> Alert:
    alert = store.get_alert(conn, alert_id=alert_id)
    if alert is None:
        raise NotFoundError(f"there is no alert {alert_id}")
    decision, status = next_status(alert.status, event)
    if not decision.allowed:
        raise InvalidInputError(f"alert {alert_id}: not done:", [Problem(event, decision.reason)])
    outcome = Outcome(detail["outcome"]) if event == "outcome" else None
    store.add_event(
        conn, alert_id=alert_id, at=rt.clock.now(), actor=actor.name, event=event, detail=detail
    )
    if status != alert.status or outcome is not None:
        store.set_status(conn, alert_id=alert_id, status=status, outcome=outcome)
    updated = store.get_alert(conn, alert_id=alert_id)
    assert updated is not None
    return updated
