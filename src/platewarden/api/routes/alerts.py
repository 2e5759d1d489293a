"""Hits: list, show with the images to compare, confirm by eye and by other means, reject."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep, Token, client_address
from platewarden.api.encode import to_json
from platewarden.domain import AlertStatus, Outcome, RejectReason
from platewarden.services import alerts
from platewarden.services.alerts import changes_since
from platewarden.services.auth import resume
from platewarden.services.errors import ServiceError

router = APIRouter(prefix="/alerts", tags=["alerts"])

POLL_S = 0.25  # how often the stream looks for new alerts and steps: p95 frame-to-alert < 1 s
HEARTBEAT_S = 15.0  # a comment line this often keeps proxies from closing a quiet stream
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The alert's number.")]


class OtherMeans(BaseModel):
    """A confirmation by other means: how (NCIC, dispatch) and what it answered."""

    how: Annotated[str, Field(min_length=1, max_length=200)]
    answer: Annotated[str, Field(min_length=1, max_length=2000)]


class Rejection(BaseModel):
    """Why a hit is rejected; a note is required when the reason is `other`."""

    reason: RejectReason
    note: Annotated[str, Field(max_length=2000)] = ""


class OutcomeReport(BaseModel):
    """What came of a confirmed hit."""

    outcome: Outcome
    note: Annotated[str, Field(max_length=2000)] = ""


@router.get("")
def list_alerts(
    rt: RuntimeDep,
    actor: CurrentActor,
    status: Annotated[list[AlertStatus] | None, Query()] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """List alerts, the newest first."""
    found = alerts.list_alerts(rt, actor, statuses=status, since=since, limit=limit)
    return to_json(found)


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    rt: RuntimeDep,
    token: Token,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> StreamingResponse:
    """Send new alerts and their steps as server-sent events, resumable with Last-Event-ID.

    A patrol car that loses signal reconnects with the last id it received and misses nothing.
    """
    where = client_address(request)
    actor = await run_in_threadpool(resume, rt, token, client_address=where)
    cursor = _cursor(last_event_id)
    # Refused now, before the stream opens, when the member may not see alerts.
    await run_in_threadpool(changes_since, rt, actor, after=None)

    async def events() -> AsyncIterator[str]:
        after, quiet = cursor, 0.0
        while not await request.is_disconnected():
            try:
                member = await run_in_threadpool(  # polling is not the member's activity
                    lambda: resume(rt, token, client_address=where, touch=False)
                )
                changes, next_after = await run_in_threadpool(
                    changes_since, rt, member, after=after
                )
            except ServiceError as exc:  # the session ended or the role lapsed: say so, stop
                yield f"event: ended\ndata: {json.dumps({'detail': str(exc)})}\n\n"
                return
            if after is None:
                yield f"id: {next_after[0]}.{next_after[1]}\nevent: ready\ndata: {{}}\n\n"
            for change in changes:
                body = json.dumps(to_json({"change": change.change, "alert": change.alert}))
                yield f"id: {change.cursor[0]}.{change.cursor[1]}\nevent: alert\ndata: {body}\n\n"
            after = next_after
            quiet = 0.0 if changes else quiet + POLL_S
            if quiet >= HEARTBEAT_S:
                quiet = 0.0
                yield ": still here\n\n"
            await asyncio.sleep(POLL_S)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
    )


def _cursor(last_event_id: str | None) -> tuple[int, int] | None:
    """Read a Last-Event-ID of ours ("ALERT.EVENT"); anything else starts from now."""
    alert, _, event = (last_event_id or "").partition(".")
    if alert.isdigit() and event.isdigit():
        return int(alert), int(event)
    return None


@router.get("/{alert_id}", responses=problems.responses(404))
def show_alert(rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId) -> dict[str, Any]:
    """Show an alert beside its hot-list entry, with the captured images (base64 JPEG)."""
    return to_json(alerts.view_alert(rt, actor, alert_id=alert_id))


@router.post("/{alert_id}/visual-confirmation", responses=problems.responses(404))
def confirm_by_eye(rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId) -> dict[str, Any]:
    """Record that the officer compared the plate in the image with the entry."""
    return to_json(alerts.confirm_visually(rt, actor, alert_id=alert_id))


@router.post("/{alert_id}/other-confirmation", responses=problems.responses(404))
def confirm_by_other_means(
    rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId, body: OtherMeans
) -> dict[str, Any]:
    """Record the confirmation by other means: the hit is then confirmed."""
    confirmed = alerts.confirm_by_other_means(
        rt, actor, alert_id=alert_id, how=body.how, answer=body.answer
    )
    return to_json(confirmed)


@router.post("/{alert_id}/rejection", responses=problems.responses(404))
def reject(
    rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId, body: Rejection
) -> dict[str, Any]:
    """Reject a hit with its reason."""
    rejected = alerts.reject(rt, actor, alert_id=alert_id, reason=body.reason, note=body.note)
    return to_json(rejected)


@router.post("/{alert_id}/outcome", responses=problems.responses(404))
def record_outcome(
    rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId, body: OutcomeReport
) -> dict[str, Any]:
    """Record what came of a confirmed hit."""
    done = alerts.record_outcome(rt, actor, alert_id=alert_id, outcome=body.outcome, note=body.note)
    return to_json(done)
