"""Read-only aggregate queries for the yearly report and the transparency page.

Windows are half-open, [since, until), in UTC. Queries return plain rows or counts; the report
service turns them into figures. Nothing here writes.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, case, func, select

from platewarden.store.schema import (
    alert_events,
    alerts,
    audit_log,
    audit_review_items,
    audit_reviews,
    camera_maintenance,
    cameras,
    exports,
    holds,
    hotlist_entries,
    members,
    purge_runs,
    reads,
    share_requests,
    training_records,
)


def reads_by_camera(conn: Connection, *, since: datetime, until: datetime) -> dict[str | None, int]:
    """Count the stored reads captured in the window by camera name (None: no camera)."""
    rows = conn.execute(
        select(cameras.c.name, func.count())
        .select_from(reads.outerjoin(cameras, reads.c.camera_id == cameras.c.id))
        .where(reads.c.captured_at >= since, reads.c.captured_at < until)
        .group_by(cameras.c.name)
    )
    return {name: int(count) for name, count in rows}


def completed_purges(conn: Connection) -> list[RowMapping]:
    """Return every purge that deleted (not a dry run), by cutoff: cutoff and counts."""
    return list(
        conn.execute(
            select(
                purge_runs.c.cutoff,
                purge_runs.c.started_at,
                purge_runs.c.reads_purged,
                purge_runs.c.images_purged,
                purge_runs.c.reads_kept_by_holds,
                purge_runs.c.days_shredded,
            )
            .where(purge_runs.c.dry_run.is_(False))
            .order_by(purge_runs.c.cutoff, purge_runs.c.id)
        ).mappings()
    )


def alerts_raised(conn: Connection, *, since: datetime, until: datetime) -> list[RowMapping]:
    """Return the alerts raised in the window with their entry's purpose (no plate)."""
    return list(
        conn.execute(
            select(
                alerts.c.id,
                alerts.c.status,
                alerts.c.outcome,
                alerts.c.hit_count,
                alerts.c.historical,
                alerts.c.created_at,
                hotlist_entries.c.purpose,
            )
            .join(hotlist_entries, hotlist_entries.c.id == alerts.c.entry_id)
            .where(alerts.c.created_at >= since, alerts.c.created_at < until)
            .order_by(alerts.c.id)
        ).mappings()
    )


def events_of_alerts_raised(
    conn: Connection, *, since: datetime, until: datetime, events: Sequence[str]
) -> list[RowMapping]:
    """Return these events of the alerts raised in the window: alert id, event, time, detail."""
    return list(
        conn.execute(
            select(alert_events.c.alert_id, alert_events.c.event, alert_events.c.at)
            .add_columns(alert_events.c.detail)
            .join(alerts, alerts.c.id == alert_events.c.alert_id)
            .where(
                alerts.c.created_at >= since,
                alerts.c.created_at < until,
                alert_events.c.event.in_(events),
            )
            .order_by(alert_events.c.id)
        ).mappings()
    )


def audit_tally(
    conn: Connection, *, actions: Sequence[str], since: datetime, until: datetime
) -> list[RowMapping]:
    """Count audit records by action, actor, purpose, outcome and whether they found anything."""
    found = case((audit_log.c.result_count > 0, True), else_=False).label("found")
    return list(
        conn.execute(
            select(
                audit_log.c.action,
                audit_log.c.actor,
                audit_log.c.purpose,
                audit_log.c.outcome,
                found,
                func.count().label("count"),
            )
            .where(
                audit_log.c.action.in_(actions),
                audit_log.c.at >= since,
                audit_log.c.at < until,
            )
            .group_by(
                audit_log.c.action,
                audit_log.c.actor,
                audit_log.c.purpose,
                audit_log.c.outcome,
                found,
            )
        ).mappings()
    )


def audit_records(
    conn: Connection, *, actions: Sequence[str], until: datetime, since: datetime | None = None
) -> list[RowMapping]:
    """Return the audit records of these actions before `until` (and from `since`), in order."""
    query = select(
        audit_log.c.at,
        audit_log.c.action,
        audit_log.c.reason,
        audit_log.c.parameters,
    ).where(audit_log.c.action.in_(actions), audit_log.c.at < until)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    return list(conn.execute(query.order_by(audit_log.c.id)).mappings())


def all_cameras(conn: Connection) -> list[RowMapping]:
    """Return every camera: name, kind, status now and when it was registered."""
    return list(
        conn.execute(
            select(cameras.c.name, cameras.c.kind, cameras.c.status, cameras.c.created_at).order_by(
                cameras.c.name
            )
        ).mappings()
    )


def members_and_training(conn: Connection) -> list[tuple[RowMapping, list[RowMapping]]]:
    """Return every member (username, roles, dates) with their training records."""
    people = conn.execute(
        select(
            members.c.id,
            members.c.username,
            members.c.roles,
            members.c.created_at,
            members.c.deactivated_at,
        ).order_by(members.c.username)
    ).mappings()
    courses: dict[int, list[RowMapping]] = {}
    for row in conn.execute(
        select(
            training_records.c.member_id,
            training_records.c.course,
            training_records.c.completed_on,
            training_records.c.expires_on,
        )
    ).mappings():
        courses.setdefault(row["member_id"], []).append(row)
    return [(person, courses.get(person["id"], [])) for person in people]


def audit_reviews_created(
    conn: Connection, *, since: datetime, until: datetime
) -> list[RowMapping]:
    """Return the audit reviews drawn in the window with their items' findings counted."""
    return list(
        conn.execute(
            select(
                audit_reviews.c.id,
                audit_reviews.c.closed_at,
                func.count(audit_review_items.c.id).label("items"),
                func.count(audit_review_items.c.id)
                .filter(audit_review_items.c.finding == "justified")
                .label("justified"),
                func.count(audit_review_items.c.id)
                .filter(audit_review_items.c.finding == "not_justified")
                .label("not_justified"),
            )
            .select_from(
                audit_reviews.outerjoin(
                    audit_review_items, audit_review_items.c.review_id == audit_reviews.c.id
                )
            )
            .where(audit_reviews.c.created_at >= since, audit_reviews.c.created_at < until)
            .group_by(audit_reviews.c.id, audit_reviews.c.closed_at)
            .order_by(audit_reviews.c.id)
        ).mappings()
    )


def share_requests_received(
    conn: Connection, *, since: datetime, until: datetime
) -> list[RowMapping]:
    """Count the sharing requests received in the window by direction, agency type and status."""
    return list(
        conn.execute(
            select(
                share_requests.c.direction,
                share_requests.c.agency_type,
                share_requests.c.status,
                func.count().label("count"),
            )
            .where(share_requests.c.received_on >= since, share_requests.c.received_on < until)
            .group_by(
                share_requests.c.direction, share_requests.c.agency_type, share_requests.c.status
            )
        ).mappings()
    )


def holds_created(conn: Connection, *, since: datetime, until: datetime) -> list[RowMapping]:
    """Return the holds placed in the window: kind, reads kept and when released (no case)."""
    return list(
        conn.execute(
            select(holds.c.kind, holds.c.read_count, holds.c.released_at)
            .where(holds.c.created_at >= since, holds.c.created_at < until)
            .order_by(holds.c.id)
        ).mappings()
    )


def holds_active_at(conn: Connection, *, at: datetime) -> int:
    """Count the holds placed before `at` and not released by then."""
    released_later = holds.c.released_at.is_(None) | (holds.c.released_at >= at)
    return (
        conn.scalar(
            select(func.count()).select_from(holds).where(holds.c.created_at < at, released_later)
        )
        or 0
    )


def exports_made(conn: Connection, *, since: datetime, until: datetime) -> tuple[int, int]:
    """Return the evidence exports made in the window and the reads they carried."""
    row = conn.execute(
        select(func.count(), func.coalesce(func.sum(exports.c.read_count), 0)).where(
            exports.c.exported_at >= since, exports.c.exported_at < until
        )
    ).one()
    return int(row[0]), int(row[1])


def maintenance_done(
    conn: Connection, *, since: datetime, until: datetime
) -> list[tuple[str, str, int]]:
    """Count the maintenance records whose work was done in the window, by camera and kind."""
    rows = conn.execute(
        select(cameras.c.name, camera_maintenance.c.kind, func.count())
        .join(cameras, cameras.c.id == camera_maintenance.c.camera_id)
        .where(camera_maintenance.c.done_on >= since, camera_maintenance.c.done_on < until)
        .group_by(cameras.c.name, camera_maintenance.c.kind)
        .order_by(cameras.c.name, camera_maintenance.c.kind)
    )
    return [(name, kind, int(count)) for name, kind, count in rows]


def last_calibrations(conn: Connection, *, before: datetime) -> dict[str, dict[str, Any]]:
    """Return each calibrated camera's latest calibration done before `before`, by camera name."""
    rows = conn.execute(
        select(cameras.c.name, camera_maintenance.c.done_on, camera_maintenance.c.next_due)
        .join(cameras, cameras.c.id == camera_maintenance.c.camera_id)
        .where(camera_maintenance.c.kind == "calibration", camera_maintenance.c.done_on < before)
        .order_by(camera_maintenance.c.done_on, camera_maintenance.c.id)
    ).mappings()
    return {row["name"]: dict(row) for row in rows}  # the latest wins
