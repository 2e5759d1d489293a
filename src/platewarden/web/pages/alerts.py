"""The officer's live alert feed, and each alert's steps in order: view, confirm, outcome."""

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Form, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from platewarden.api.deps import RuntimeDep, client_address
from platewarden.domain import Actor, Alert, AlertStatus, Outcome, RejectReason
from platewarden.policy.alerts import next_status
from platewarden.services import alerts
from platewarden.services.alerts import AlertView, changes_since
from platewarden.services.auth import resume
from platewarden.services.errors import ServiceError
from platewarden.services.runtime import Runtime
from platewarden.web.render import console_router, is_htmx, render
from platewarden.web.session import SESSION_COOKIE, Member

router = console_router()

POLL_S = 0.25  # how often the feed's stream looks for new alerts and steps
HEARTBEAT_S = 15.0
FEED_SIZE = 50
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Form(max_length=2000)]
STEPS = ("visual_confirmation", "other_confirmation", "rejected", "outcome")


@router.get("/alerts", response_class=HTMLResponse)
def feed_page(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """The live feed of alerts beside the one being handled."""
    return render(request, "alerts/page.html", actor=actor, alerts=_feed(rt, actor))


@router.get("/alerts/feed", response_class=HTMLResponse)
def feed(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """The feed's list alone, fetched again when the stream says something changed."""
    return render(request, "alerts/feed.html", actor=actor, alerts=_feed(rt, actor))


def _feed(rt: Runtime, actor: Actor) -> list[Alert]:
    return alerts.list_alerts(rt, actor, limit=FEED_SIZE)


@router.get("/alerts/stream")
async def stream(request: Request, rt: RuntimeDep, actor: Member) -> StreamingResponse:
    """Tell the open page of each new alert or step (server-sent events); the page refetches."""
    token = request.cookies.get(SESSION_COOKIE, "")
    where = client_address(request)
    _, start = await run_in_threadpool(changes_since, rt, actor, after=None)

    async def events() -> AsyncIterator[str]:
        after, quiet = start, 0.0
        while not await request.is_disconnected():
            try:
                member = await run_in_threadpool(
                    lambda: resume(rt, token, client_address=where, touch=False)
                )
                changes, after = await run_in_threadpool(changes_since, rt, member, after=after)
            except ServiceError:
                yield "event: locked\ndata: locked\n\n"
                return
            for change in changes:
                kind = "new" if change.change == "raised" else "step"
                yield f"event: alert\ndata: {kind}\n\n"
            quiet = 0.0 if changes else quiet + POLL_S
            if quiet >= HEARTBEAT_S:
                quiet = 0.0
                yield ": still here\n\n"
            await asyncio.sleep(POLL_S)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def show(request: Request, rt: RuntimeDep, actor: Member, alert_id: AlertId) -> HTMLResponse:
    """An alert beside its hot-list entry with the images to compare (its first view)."""
    view = alerts.view_alert(rt, actor, alert_id=alert_id)
    if is_htmx(request):
        return _panel(request, rt, actor, view)
    context = _panel_context(rt, view)
    return render(request, "alerts/page.html", actor=actor, alerts=_feed(rt, actor), **context)


@router.post("/alerts/{alert_id}/visual-confirmation")
def confirm_by_eye(request: Request, rt: RuntimeDep, actor: Member, alert_id: AlertId) -> Response:
    """The officer compared the plate in the image with the entry and they agree."""
    return _steps(request, actor, alerts.confirm_visually(rt, actor, alert_id=alert_id))


@router.post("/alerts/{alert_id}/other-confirmation")
def confirm_by_other_means(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    alert_id: AlertId,
    how: Annotated[str, Form(min_length=1, max_length=200)],
    answer: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """NCIC or dispatch answered: the hit is confirmed."""
    confirmed = alerts.confirm_by_other_means(rt, actor, alert_id=alert_id, how=how, answer=answer)
    return _steps(request, actor, confirmed)


@router.post("/alerts/{alert_id}/rejection")
def reject(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    alert_id: AlertId,
    reason: Annotated[RejectReason, Form()],
    note: Text = "",
) -> Response:
    """Reject the hit with its reason."""
    rejected = alerts.reject(rt, actor, alert_id=alert_id, reason=reason, note=note)
    return _steps(request, actor, rejected)


@router.post("/alerts/{alert_id}/outcome")
def record_outcome(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    alert_id: AlertId,
    outcome: Annotated[Outcome, Form()],
    note: Text = "",
) -> Response:
    """What came of the confirmed hit."""
    done = alerts.record_outcome(rt, actor, alert_id=alert_id, outcome=outcome, note=note)
    return _steps(request, actor, done)


def _panel(request: Request, rt: Runtime, actor: Actor, view: AlertView) -> HTMLResponse:
    return render(request, "alerts/panel.html", actor=actor, **_panel_context(rt, view))


def _steps(request: Request, actor: Actor, alert: Alert) -> Response:
    """The steps part of the panel after a step: the images and the entry stay as they are."""
    if not is_htmx(request):  # a form sent without script: show the whole alert again
        return RedirectResponse(f"/alerts/{alert.id}", status_code=303)
    return render(request, "alerts/steps.html", actor=actor, **_steps_context(alert))


def _steps_context(alert: Alert) -> dict[str, Any]:
    return {
        "alert": alert,
        "steps": open_steps(alert),
        "reject_reasons": list(RejectReason),
        "outcomes": list(Outcome),
    }


def _panel_context(rt: Runtime, view: AlertView) -> dict[str, Any]:
    """What the panel shows: the images inline, the entry's purpose in words, the steps open."""
    entry = view.entry
    purpose = rt.policy.purpose(entry.purpose) if entry else None
    return {
        "view": view,
        "purpose": purpose.title if purpose else (entry.purpose if entry else None),
        "crop": _inline_jpeg(view.crop_image),
        "frame": _inline_jpeg(view.frame_image),
        "stale_limit_hours": rt.policy.hotlists.max_age_hours,
        **_steps_context(view.alert),
    }


def open_steps(alert: Alert) -> frozenset[str]:
    """The steps the alert's status allows now: only these are offered as buttons."""
    allowed = {event for event in STEPS if next_status(alert.status, event)[0].allowed}
    if alert.outcome is not None or alert.status != AlertStatus.CONFIRMED:
        allowed.discard("outcome")
    return frozenset(allowed)


def _inline_jpeg(image: bytes | None) -> str | None:
    if image is None:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(image).decode("ascii")
