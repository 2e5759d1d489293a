"""Alerts, the reads folded into them, and their lifecycle events."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, case, func, insert, select, update

from platewarden.domain import Alert, AlertEvent, AlertStatus, Outcome
from platewarden.store.schema import alert_events, alert_reads, alerts


def open_alert_to_fold(
    conn: Connection, *, entry_id: int, plate: str, captured_at: datetime, fold: timedelta
) -> int | None:
    """Return the alert of this plate and entry whose reads were captured within `fold` of
    `captured_at` (before its first or after its last), if any."""
    query = (
        select(alerts.c.id)
        .where(alerts.c.entry_id == entry_id, alerts.c.plate == plate)
        .where(alerts.c.last_hit_at >= captured_at - fold)
        .where(alerts.c.first_hit_at <= captured_at + fold)
        .order_by(alerts.c.id.desc())
        .limit(1)
    )
    return conn.scalar(query)


def add_alert(conn: Connection, *, values: dict[str, Any], read_id: int) -> int:
    """Store a new alert for a read; return its id."""
    row = {**values, "read_id": read_id, "hit_count": 1, "status": AlertStatus.NEW.value}
    alert_id = conn.execute(insert(alerts).values(row).returning(alerts.c.id)).scalar_one()
    conn.execute(insert(alert_reads).values(alert_id=alert_id, read_id=read_id))
    return alert_id


def fold_hit(conn: Connection, *, alert_id: int, read_id: int, at: datetime) -> None:
    """Count another read of the same plate and entry into an open alert; its first and last
    capture times only widen."""
    conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id)
        .values(
            hit_count=alerts.c.hit_count + 1,
            last_hit_at=case((alerts.c.last_hit_at < at, at), else_=alerts.c.last_hit_at),
            first_hit_at=case((alerts.c.first_hit_at > at, at), else_=alerts.c.first_hit_at),
        )
    )
    conn.execute(insert(alert_reads).values(alert_id=alert_id, read_id=read_id))


def add_event(
    conn: Connection, *, alert_id: int, at: datetime, actor: str, event: str, detail: dict[str, str]
) -> None:
    """Record one step of an alert's life."""
    values = {"alert_id": alert_id, "at": at, "actor": actor, "event": event, "detail": detail}
    conn.execute(insert(alert_events).values(values))


def set_status(
    conn: Connection, *, alert_id: int, status: AlertStatus, outcome: Outcome | None = None
) -> None:
    """Move an alert to a status (and record its outcome)."""
    values: dict[str, Any] = {"status": status.value}
    if outcome is not None:
        values["outcome"] = outcome.value
    conn.execute(update(alerts).where(alerts.c.id == alert_id).values(values))


def get_alert(conn: Connection, *, alert_id: int) -> Alert | None:
    """Return an alert with its events."""
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
    if row is None:
        return None
    query = select(alert_events).where(alert_events.c.alert_id == alert_id)
    events = tuple(
        AlertEvent(at=e["at"], actor=e["actor"], event=e["event"], detail=e["detail"])
        for e in conn.execute(query.order_by(alert_events.c.id)).mappings()
    )
    return _alert(row, events)


def list_alerts(
    conn: Connection,
    *,
    statuses: Sequence[AlertStatus] | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[Alert]:
    """Return alerts, newest first."""
    query = select(alerts).order_by(alerts.c.id.desc()).limit(limit)
    if statuses:
        query = query.where(alerts.c.status.in_([s.value for s in statuses]))
    if since is not None:
        query = query.where(alerts.c.created_at >= since)
    return [_alert(row, ()) for row in conn.execute(query).mappings()]


def alert_read_ids(conn: Connection, *, alert_id: int) -> list[int]:
    """Return the stored reads folded into an alert."""
    query = select(alert_reads.c.read_id).where(alert_reads.c.alert_id == alert_id)
    return sorted(conn.scalars(query))


def detach_reads(conn: Connection, *, read_ids: Sequence[int]) -> None:
    """Forget purged reads in alerts: the alert and its outcome stay, the plate goes."""
    conn.execute(alert_reads.delete().where(alert_reads.c.read_id.in_(read_ids)))
    conn.execute(
        update(alerts)
        .where(alerts.c.read_id.in_(read_ids))
        .values(read_id=None, plate=None, matched_text=None)
    )


def _alert(row: RowMapping, events: tuple[AlertEvent, ...]) -> Alert:
    values = dict(row)
    values["status"] = AlertStatus(values["status"])
    values["outcome"] = Outcome(values["outcome"]) if values["outcome"] else None
    return Alert(**values, events=events)


def latest_ids(conn: Connection) -> tuple[int, int]:
    """Return the newest alert's id and the newest alert event's id (0 when none)."""
    newest_alert = conn.scalar(select(func.max(alerts.c.id))) or 0
    newest_event = conn.scalar(select(func.max(alert_events.c.id))) or 0
    return newest_alert, newest_event


def alerts_after(conn: Connection, *, alert_id: int, limit: int) -> list[Alert]:
    """Return the alerts raised after an id, oldest first."""
    query = select(alerts).where(alerts.c.id > alert_id).order_by(alerts.c.id).limit(limit)
    return [_alert(row, ()) for row in conn.execute(query).mappings()]


def events_after(conn: Connection, *, event_id: int, limit: int) -> list[tuple[int, int, str]]:
    """Return (event id, alert id, event) of the steps recorded after an id, oldest first."""
    query = (
        select(alert_events.c.id, alert_events.c.alert_id, alert_events.c.event)
        .where(alert_events.c.id > event_id)
        .order_by(alert_events.c.id)
        .limit(limit)
    )
    return [(row.id, row.alert_id, row.event) for row in conn.execute(query)]
