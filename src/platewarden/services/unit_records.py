"""At the station: a patrol-car unit's audit trail and its officers' alert events, taken once.

A unit forwards every audit record it wrote (log-ons, views, confirmations, purges, syncs)
after its reads; each is kept as the unit wrote it, under the unit's device, and a record sent
again after a cut is stored once. An alert's events come with the alert: the station applies
them to its own alert for the same entry and reads (raised when the reads arrived), or stores
the unit's alert when it raised none (the entry removed meanwhile, say), so the officer's
confirmations in the car always reach the station's lifecycle of that alert.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from platewarden.domain import AlertStatus, Outcome
from platewarden.policy.access import Action, Role
from platewarden.policy.alerts import TRANSITIONS, next_status
from platewarden.services.audit import authorize, record
from platewarden.services.devices import DeviceActor
from platewarden.services.errors import AccessDeniedError, InvalidInputError, Problem
from platewarden.services.runtime import Runtime
from platewarden.store import unit_records as store
from platewarden.store.alerts import get_alert, set_status

MAX_RECORDS = 1000
AUDIT_KEYS = ("id", "at", "actor", "action", "outcome", "reason", "parameters", "hash")
ALERT_VALUES = (
    "entry_id",
    "plate",
    "matched_text",
    "kind",
    "score",
    "explanation",
    "jurisdiction_mismatch",
    "stale",
    "historical",
    "late",
)
ALERT_TIMES = ("created_at", "first_hit_at", "last_hit_at")


@dataclass(frozen=True)
class RecordsReceipt:
    """What the station took: new audit records, alerts linked or made, events applied."""

    audit_stored: int
    alerts_made: int
    events_applied: int
    events_not_applied: int


def receive_records(rt: Runtime, device: DeviceActor, body: dict[str, Any]) -> RecordsReceipt:
    """Store a unit's audit records and apply its alert events, each once, all or nothing."""
    authorize(rt, device.actor, Action.INGEST, parameters={"unit_records": True})
    if Role.UNIT not in device.actor.roles:
        with rt.engine.begin() as conn:
            record(conn, rt, device.actor, "unit_records", outcome="denied", reason="not a unit")
        raise AccessDeniedError(f"{device.actor.name} is not a patrol-car unit")
    audit, alerts = _checked(body)
    own = device.device
    made = applied = refused = 0
    with rt.engine.begin() as conn:
        stored = store.add_audit(conn, device_id=own.id, rows=audit, at=rt.clock.now())
        for alert in alerts:
            alert_id, new = _station_alert(conn, own.id, own.camera_id, alert)
            made += new
            done, not_done = _apply_events(conn, own.id, own.name, alert_id, alert["events"])
            applied, refused = applied + done, refused + not_done
        record(
            conn,
            rt,
            device.actor,
            "unit_records",
            parameters={
                "device": own.id,
                "audit": len(audit),
                "alerts": len(alerts),
                "events_applied": applied,
            },
            result_count=stored,
        )
    return RecordsReceipt(stored, made, applied, refused)


def _checked(body: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the audit records and alerts of a body; refuse a malformed one whole."""
    problems = []
    audit = body.get("audit", []) if isinstance(body, dict) else None
    alerts = body.get("alerts", []) if isinstance(body, dict) else None
    if not isinstance(audit, list) or len(audit) > MAX_RECORDS:
        problems.append(Problem("audit", f"must be a list of at most {MAX_RECORDS} records"))
        audit = []
    if not isinstance(alerts, list) or len(alerts) > MAX_RECORDS:
        problems.append(Problem("alerts", f"must be a list of at most {MAX_RECORDS} alerts"))
        alerts = []
    for number, row in enumerate(audit, start=1):
        if not _audit_ok(row):
            problems.append(Problem(f"audit record {number}", "is not a unit's audit record"))
    for number, alert in enumerate(alerts, start=1):
        if not _alert_ok(alert):
            problems.append(Problem(f"alert {number}", "is not a unit's alert with its events"))
    if problems:
        raise InvalidInputError("unit records refused, nothing stored:", problems)
    return audit, alerts


def _audit_ok(row: Any) -> bool:
    try:
        datetime.fromisoformat(row["at"])
        return all(k in row for k in AUDIT_KEYS) and isinstance(row["id"], int)
    except (TypeError, KeyError, ValueError):
        return False


def _alert_ok(alert: Any) -> bool:
    try:
        for name in ALERT_TIMES:
            datetime.fromisoformat(alert[name])
        events = alert["events"]
        return (
            isinstance(alert["id"], int)
            and isinstance(alert["entry_id"], int)
            and all(isinstance(r, str) for r in alert["reads"])
            and all(k in alert for k in ALERT_VALUES)
            and all(
                isinstance(e["id"], int)
                and isinstance(e["detail"], dict)
                and isinstance(e["event"], str)
                and isinstance(e["actor"], str)
                and datetime.fromisoformat(e["at"]) is not None
                for e in events
            )
        )
    except (TypeError, KeyError, ValueError):
        return False


def _station_alert(
    conn: Connection, device_id: int, camera_id: int | None, alert: dict[str, Any]
) -> tuple[int, bool]:
    """Return the station's alert for a unit's alert (linked, found or made), and if made."""
    linked = store.linked_alert(conn, device_id=device_id, unit_alert_id=alert["id"])
    if linked is not None:
        return linked, False
    read_ids = store.station_read_ids(conn, camera_id=camera_id, client_read_ids=alert["reads"])
    found = store.alert_of_reads(conn, entry_id=alert["entry_id"], read_ids=read_ids)
    if found is None and not store.entry_exists(conn, entry_id=alert["entry_id"]):
        raise InvalidInputError(
            "unit records refused:", [Problem("alert", f"no hot-list entry {alert['entry_id']}")]
        )
    alert_id = found
    if alert_id is None:
        values = {name: alert[name] for name in ALERT_VALUES}
        values |= {name: datetime.fromisoformat(alert[name]) for name in ALERT_TIMES}
        alert_id = store.add_alert(conn, values=values, read_ids=read_ids)
    store.link_alert(conn, device_id=device_id, unit_alert_id=alert["id"], alert_id=alert_id)
    return alert_id, found is None


def _apply_events(
    conn: Connection,
    device_id: int,
    unit: str,
    alert_id: int,
    events: list[dict[str, Any]],
) -> tuple[int, int]:
    """Apply a unit's events not applied yet, in order, at the unit's times; count them."""
    held = store.received_events(conn, device_id=device_id, event_ids=[e["id"] for e in events])
    applied = refused = 0
    for event in (e for e in events if e["id"] not in held):
        alert = get_alert(conn, alert_id=alert_id)
        assert alert is not None
        detail = {**event["detail"], "unit": unit}
        decision, status = (
            next_status(AlertStatus(alert.status), event["event"])
            if event["event"] in TRANSITIONS
            else (None, alert.status)
        )
        if decision is None or not decision.allowed:
            # Kept as history: the station's alert moved on meanwhile (handled at the station).
            detail["not_applied"] = decision.reason if decision else "unknown event"
            refused += 1
        else:
            outcome = Outcome(detail["outcome"]) if event["event"] == "outcome" else None
            if status != alert.status or outcome is not None:
                set_status(conn, alert_id=alert_id, status=AlertStatus(status), outcome=outcome)
            applied += 1
        store.add_event(
            conn,
            device_id=device_id,
            unit_event_id=event["id"],
            alert_id=alert_id,
            at=datetime.fromisoformat(event["at"]),
            actor=event["actor"],
            event=event["event"],
            detail=detail,
        )
    return applied, refused
