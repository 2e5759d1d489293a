"""Home: for each of the member's roles, what needs them now."""

from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse

from platewarden.api.deps import RuntimeDep
from platewarden.domain import Actor, AlertStatus, ShareStatus
from platewarden.policy.access import Action
from platewarden.services import (
    alerts,
    audit_review,
    cameras,
    hotlists,
    maintenance,
    members,
    sharing,
)
from platewarden.services.runtime import Runtime
from platewarden.web.render import console_router, may, render
from platewarden.web.session import Member

router = console_router()

TRAINING_NOTICE = timedelta(days=30)  # a course lapsing this soon is shown as a task
OPEN_ALERTS = (AlertStatus.NEW, AlertStatus.VIEWED, AlertStatus.VISUALLY_CONFIRMED)


@dataclass(frozen=True)
class Task:
    """One thing waiting for the member, with where to see to it."""

    count: int
    what: str
    href: str


def needs_now(rt: Runtime, actor: Actor) -> list[Task]:
    """List what waits for this member; a role's items are asked for only when it is in force."""
    tasks: list[Task] = []
    if may(actor, Action.VIEW_ALERTS):
        waiting = alerts.list_alerts(rt, actor, statuses=OPEN_ALERTS, limit=1000)
        tasks.append(Task(len(waiting), "alerts waiting for an officer's confirmation", "/alerts"))
    if may(actor, Action.VIEW_HOTLISTS):
        stale = [s.source for s in hotlists.status(rt, actor) if s.stale]
        tasks.append(Task(len(stale), "hot lists past their age limit (stale)", "/hotlists"))
    if may(actor, Action.MAINTAIN_CAMERAS):
        overdue = maintenance.overdue_calibrations(rt, actor)
        tasks.append(Task(len(overdue), "cameras with an overdue calibration", "/cameras"))
    if may(actor, Action.MANAGE_CAMERAS):
        offline = [c for c in cameras.list_cameras(rt, actor) if c.offline]
        tasks.append(Task(len(offline), "cameras in service gone silent (offline)", "/cameras"))
    if may(actor, Action.MANAGE_TRAINING):
        lapsing = members.list_training(rt, actor, expiring_within=TRAINING_NOTICE)
        tasks.append(Task(len(lapsing), "members' courses lapsing within 30 days", "/members"))
    if may(actor, Action.APPROVE_SHARING):
        pending = [
            r
            for r in sharing.list_requests(rt, actor, direction="incoming")
            if r.status == ShareStatus.PENDING
        ]
        tasks.append(Task(len(pending), "sharing requests to review", "/sharing"))
    if may(actor, Action.REVIEW_AUDIT):
        to_audit = [
            item
            for review in audit_review.list_reviews(rt, actor, open_only=True)
            for item in review.items
            if item.finding is None and item.record.actor != actor.name
        ]
        tasks.append(Task(len(to_audit), "sampled searches to audit", "/audit#samples"))
    return tasks


@router.get("/", response_class=HTMLResponse)
def home(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """What needs the member now, and their own training with what lapses soon."""
    courses = members.own_training(rt, actor)
    soon = rt.clock.now() + TRAINING_NOTICE
    return render(
        request, "home.html", actor=actor, tasks=needs_now(rt, actor), courses=courses, soon=soon
    )
