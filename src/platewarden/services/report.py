"""The yearly report (426.3) and the public transparency page: figures gathered from the store.

Reads are purged after the retention period, so read counts cannot come from stored reads alone:
a month's reads are the reads of that month still stored plus the reads purged by the purges
whose cutoff fell in that month (with the nightly purge, the day the reads were captured). Reads
per camera come from stored reads only, since a purge records counts, not cameras. Everything
else counts durable records: alerts and their events, the audit trail, holds, purge runs,
sharing requests, maintenance records, members and their training.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import Connection, RowMapping

from platewarden.domain import Actor
from platewarden.policy.access import Action, Role
from platewarden.policy.training import Completion, trained_roles
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.report_figures import (
    AlertFigures,
    AuditFigures,
    CameraFigures,
    HoldFigures,
    MaintenanceFigures,
    MemberFigures,
    MonthReads,
    PolicyChange,
    PurgeFigures,
    SearchFigures,
    SharingFigures,
    Tally,
    TransparencyPage,
    YearlyReport,
)
from platewarden.services.runtime import Runtime
from platewarden.store import report_queries as q
from platewarden.store.audit import chain_head

# A search's audit record: "query_plate" or "search_reads"; a history search refused for want of
# the role is recorded under the permission's name, "search_history".
SEARCH_ACTIONS = ("query_plate", "search_reads", "search_history")
NOT_A_MEMBER = "not a member"
TRANSPARENCY_DAYS = 30
FIRST_YEAR = 1970  # before any ALPR system; also keeps local midnights within datetime's range


def local_start(year: int, month: int, tz: tzinfo | None) -> datetime:
    """Return local midnight of a month's first day (the computer's zone when tz is None)."""
    return datetime(year, month, 1, tzinfo=tz) if tz else datetime(year, month, 1).astimezone()


def yearly_report(
    rt: Runtime, actor: Actor, *, year: int, tz: tzinfo | None = None
) -> YearlyReport:
    """Gather the figures of a local calendar year for the yearly report."""
    authorize(rt, actor, Action.VIEW_REPORTS, parameters={"report": "yearly", "year": year})
    now = rt.clock.now()
    if not FIRST_YEAR <= year <= now.year + 1:
        raise InvalidInputError(
            "report not made:", [Problem("year", f"give a year from {FIRST_YEAR} to this one")]
        )
    start = local_start(year, 1, tz)
    if start > now:
        raise InvalidInputError("report not made:", [Problem("year", f"{year} has not begun")])
    next_year = local_start(year + 1, 1, tz)
    end = min(next_year, now)
    bounds = [local_start(year, m, tz) for m in range(1, 13)] + [next_year]
    lawful = tuple(p.code for p in rt.policy.purposes)
    with rt.engine.begin() as conn:
        cameras = _cameras(conn, start, end)
        report = YearlyReport(
            agency=rt.policy.agency,
            year=year,
            start=start,
            end=end,
            complete=next_year <= now,
            generated_at=now,
            purpose_titles={p.code: p.title for p in rt.policy.purposes},
            cameras=cameras,
            reads_by_month=_reads_by_month(conn, bounds, end),
            reads_by_camera=_reads_by_camera(conn, start, end),
            alerts=_alerts(conn, start, end),
            searches=_searches(conn, start, end, lawful),
            members=_members(rt, conn, start, end),
            audits=_audits(conn, start, end),
            sharing=_sharing(conn, start, end),
            holds=_holds(conn, start, end),
            purges=_purges(conn, start, end),
            maintenance=_maintenance(conn, cameras, start, end),
            policy_changes=_policy_changes(conn, start, end),
        )
        record(conn, rt, actor, "report_yearly", parameters={"year": year})
    return report


def transparency_page(rt: Runtime, actor: Actor) -> TransparencyPage:
    """Gather the public figures of the last 30 days and the policy in brief."""
    authorize(rt, actor, Action.VIEW_REPORTS, parameters={"report": "transparency"})
    now = rt.clock.now()
    since = now - timedelta(days=TRANSPARENCY_DAYS)
    titles = {p.code: p.title for p in rt.policy.purposes}
    with rt.engine.begin() as conn:
        (month,) = _reads_by_month(conn, [since, now], now)
        alerts = _alerts(conn, since, now)
        searches = _searches(conn, since, now, tuple(titles))
        in_service = [c for c in q.all_cameras(conn) if c["status"] == "active"]
        record(conn, rt, actor, "report_transparency", parameters={"days": TRANSPARENCY_DAYS})
    return TransparencyPage(
        agency=rt.policy.agency,
        generated_at=now,
        since=since,
        retention_days=rt.policy.retention.days,
        purposes=tuple(p.title for p in rt.policy.purposes),
        cameras_by_kind=dict(sorted(Counter(c["kind"] for c in in_service).items())),
        reads=month.total,
        hits=alerts.raised,
        confirmed=alerts.confirmed,
        searches=searches.total.allowed,
        searches_by_purpose={
            titles.get(purpose, purpose): tally.allowed
            for purpose, tally in searches.by_purpose.items()
            if tally.allowed
        },
    )


def _reads_by_month(
    conn: Connection, bounds: list[datetime], end: datetime
) -> tuple[MonthReads, ...]:
    """Count each window's stored reads and the reads purged by purges whose cutoff fell in it."""
    purged = [0] * (len(bounds) - 1)
    for run in q.completed_purges(conn):
        for i in range(len(purged)):
            if bounds[i] < run["cutoff"] <= bounds[i + 1]:
                purged[i] += run["reads_purged"]
    months: list[MonthReads] = []
    for i, since in enumerate(bounds[:-1]):
        until = min(bounds[i + 1], end)
        stored = (
            sum(q.reads_by_camera(conn, since=since, until=until).values()) if since < end else 0
        )
        months.append(MonthReads(f"{since:%Y-%m}", stored, purged[i]))
    return tuple(months)


def _reads_by_camera(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    counts = q.reads_by_camera(conn, since=start, until=end)
    return {
        name or "other systems (imported reads)": n
        for name, n in sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or ""))
    }


def _cameras(conn: Connection, start: datetime, end: datetime) -> tuple[CameraFigures, ...]:
    """Rebuild each camera's status over the period from the audit trail of status changes."""
    changes: dict[str, list[tuple[datetime, str]]] = {}
    for row in q.audit_records(conn, actions=("add_camera", "set_camera_status"), until=end):
        status = row["parameters"].get("status", "active")
        changes.setdefault(row["parameters"]["camera"], []).append((row["at"], status))
    repairs = {
        name: n
        for name, kind, n in q.maintenance_done(conn, since=start, until=end)
        if kind == "repair"
    }
    figures = []
    for camera in q.all_cameras(conn):
        timeline = changes.get(camera["name"]) or [(camera["created_at"], "active")]
        if timeline[0][0] >= end:
            continue  # registered after the period
        begin = max(start, timeline[0][0])
        status, since, in_service = timeline[0][1], begin, 0.0
        for at, new in [*timeline[1:], (end, "")]:
            if at > since:
                in_service += (at - since).total_seconds() if status == "active" else 0.0
                since = at
            status = new or status
        figures.append(
            CameraFigures(
                name=camera["name"],
                kind=camera["kind"],
                status_at_end=status,
                days_in_period=(end - begin).total_seconds() / 86400,
                days_in_service=in_service / 86400,
                repairs=repairs.get(camera["name"], 0),
            )
        )
    return tuple(figures)


def _alerts(conn: Connection, start: datetime, end: datetime) -> AlertFigures:
    raised = q.alerts_raised(conn, since=start, until=end)
    created = {a["id"]: a["created_at"] for a in raised}
    events = q.events_of_alerts_raised(
        conn, since=start, until=end, events=("rejected", "other_confirmation")
    )
    minutes = tuple(
        (e["at"] - created[e["alert_id"]]).total_seconds() / 60
        for e in events
        if e["event"] == "other_confirmation" and e["at"] < end
    )
    return AlertFigures(
        raised=len(raised),
        hits=sum(a["hit_count"] for a in raised),
        by_purpose=_counted(a["purpose"] for a in raised),
        by_status=_counted(a["status"] for a in raised),
        rejected_by_reason=_counted(
            e["detail"].get("reason", "other") for e in events if e["event"] == "rejected"
        ),
        outcomes=_counted(a["outcome"] for a in raised if a["outcome"]),
        confirmation_minutes=minutes,
    )


def _counted(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _searches(
    conn: Connection, start: datetime, end: datetime, lawful: tuple[str, ...]
) -> SearchFigures:
    """Tally searches by purpose and by role.

    Every lawful purpose of the policy gets a row, in the policy's order, and so does an earlier
    policy's purpose under which searches were allowed. A refused search that named anything
    else (a made-up purpose, or none) is counted apart, never as a purpose of its own.
    """
    roles = {
        person["username"]: ", ".join(sorted(person["roles"])) or NOT_A_MEMBER
        for person, _ in q.members_and_training(conn)
    }
    rows = q.audit_tally(conn, actions=SEARCH_ACTIONS, since=start, until=end)
    allowed_under = {row["purpose"] for row in rows if row["outcome"] == "allowed"}
    known = [*lawful, *sorted(p for p in allowed_under - set(lawful) if p)]
    total: Counter[str] = Counter()
    by_purpose: dict[str, Counter[str]] = {purpose: Counter() for purpose in known}
    no_purpose: Counter[str] = Counter()
    by_role: dict[str, Counter[str]] = {}
    for row in rows:
        if row["outcome"] == "allowed":
            kind = "with_results" if row["found"] else "without_results"
        else:
            kind = "denied"
        for counter in (
            total,
            by_purpose.get(row["purpose"], no_purpose),
            by_role.setdefault(roles.get(row["actor"], NOT_A_MEMBER), Counter()),
        ):
            counter[kind] += row["count"]
    return SearchFigures(
        total=Tally(**total),
        by_purpose={k: Tally(**v) for k, v in by_purpose.items()},
        by_role={k: Tally(**v) for k, v in sorted(by_role.items())},
        refused_without_lawful_purpose=no_purpose["denied"],
    )


def _members(rt: Runtime, conn: Connection, start: datetime, end: datetime) -> MemberFigures:
    """Judge training as at the period's end, with the same rule as log-on (auth.actor_for)."""
    validity = timedelta(days=round(rt.policy.training.valid_months * 30.44))
    active = compliant = 0
    by_role: dict[str, list[int]] = {}
    for person, training in q.members_and_training(conn):
        gone = person["deactivated_at"] is not None and person["deactivated_at"] < end
        if person["created_at"] >= end or gone:
            continue
        held = [Role(r) for r in person["roles"]]
        done = [
            Completion(
                t["course"], t["completed_on"], t["expires_on"] or t["completed_on"] + validity
            )
            for t in training
            if t["completed_on"] < end
        ]
        trained, _ = trained_roles(rt.policy, held, done, end)
        active += 1
        compliant += len(trained) == len(held)
        for role in held:
            counts = by_role.setdefault(role.value, [0, 0])
            counts[0] += 1
            counts[1] += role in trained
    logons: Counter[str] = Counter()
    for row in q.audit_tally(conn, actions=("logon",), since=start, until=end):
        logons[row["outcome"]] += row["count"]
    return MemberFigures(
        active=active,
        compliant=compliant,
        lapsed=active - compliant,
        by_role={role: (n, t) for role, (n, t) in sorted(by_role.items())},
        logons=logons["allowed"],
        failed_logons=logons["failed"],
    )


def _audits(conn: Connection, start: datetime, end: datetime) -> AuditFigures:
    reviews = q.audit_reviews_created(conn, since=start, until=end)
    checks: Counter[str] = Counter()
    for row in q.audit_tally(conn, actions=("audit_verify",), since=start, until=end):
        checks[row["outcome"]] += row["count"]
    return AuditFigures(
        reviews=len(reviews),
        closed=sum(1 for r in reviews if r["closed_at"] is not None and r["closed_at"] < end),
        sampled=sum(r["items"] for r in reviews),
        justified=sum(r["justified"] for r in reviews),
        not_justified=sum(r["not_justified"] for r in reviews),
        chain_checks=sum(checks.values()),
        chain_failures=checks["failed"],
        chain_head=":".join(map(str, head)) if (head := chain_head(conn, before=end)) else "",
    )


def _sharing(conn: Connection, start: datetime, end: datetime) -> SharingFigures:
    incoming: Counter[str] = Counter()
    agency_types: Counter[str] = Counter()
    outgoing = 0
    for row in q.share_requests_received(conn, since=start, until=end):
        if row["direction"] == "incoming":
            incoming[row["status"]] += row["count"]
            agency_types[row["agency_type"]] += row["count"]
        else:
            outgoing += row["count"]
    return SharingFigures(
        received=sum(incoming.values()),
        approved=incoming["approved"] + incoming["fulfilled"],
        denied=incoming["denied"],
        referred=incoming["referred"],
        fulfilled=incoming["fulfilled"],
        pending=incoming["pending"],
        outgoing=outgoing,
        by_agency_type=dict(sorted(agency_types.items())),
    )


def _holds(conn: Connection, start: datetime, end: datetime) -> HoldFigures:
    placed = q.holds_created(conn, since=start, until=end)
    exported, exported_reads = q.exports_made(conn, since=start, until=end)
    return HoldFigures(
        by_kind=_counted(h["kind"] for h in placed),
        reads_held=sum(h["read_count"] for h in placed),
        released=sum(1 for h in placed if h["released_at"] is not None and h["released_at"] < end),
        active_at_end=q.holds_active_at(conn, at=end),
        exports=exported,
        exported_reads=exported_reads,
    )


def _purges(conn: Connection, start: datetime, end: datetime) -> PurgeFigures:
    runs = [r for r in q.completed_purges(conn) if start <= r["started_at"] < end]
    return PurgeFigures(
        runs=len(runs),
        reads_purged=sum(r["reads_purged"] for r in runs),
        images_purged=sum(r["images_purged"] for r in runs),
        days_shredded=sum(len(r["days_shredded"]) for r in runs),
    )


def _maintenance(
    conn: Connection, cameras: tuple[CameraFigures, ...], start: datetime, end: datetime
) -> MaintenanceFigures:
    in_service = [c.name for c in cameras if c.status_at_end == "active"]
    last = q.last_calibrations(conn, before=end)
    overdue = tuple(
        name
        for name in in_service
        if name not in last or (last[name]["next_due"] is not None and last[name]["next_due"] < end)
    )
    done: Counter[str] = Counter()
    for _, kind, n in q.maintenance_done(conn, since=start, until=end):
        done[kind] += n
    return MaintenanceFigures(
        done_by_kind=dict(sorted(done.items())),
        calibration_overdue=overdue,
    )


def _policy_changes(conn: Connection, start: datetime, end: datetime) -> tuple[PolicyChange, ...]:
    rows: list[RowMapping] = q.audit_records(
        conn, actions=("policy_in_force",), since=start, until=end
    )
    return tuple(
        PolicyChange(
            at=row["at"],
            reason=row["reason"],
            source=row["parameters"].get("source", ""),
            retention_days=row["parameters"].get("retention_days"),
        )
        for row in rows
    )
