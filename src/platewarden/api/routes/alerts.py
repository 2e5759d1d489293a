"""Hits: list, show with the images to compare, confirm by eye and by other means, reject."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.domain import AlertStatus, Outcome, RejectReason
from platewarden.services import alerts

router = APIRouter(prefix="/alerts", tags=["alerts"])

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


@router.get("/{alert_id}")
def show_alert(rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId) -> dict[str, Any]:
    """Show an alert beside its hot-list entry, with the captured images (base64 JPEG)."""
    return to_json(alerts.view_alert(rt, actor, alert_id=alert_id))


@router.post("/{alert_id}/visual-confirmation")
def confirm_by_eye(rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId) -> dict[str, Any]:
    """Record that the officer compared the plate in the image with the entry."""
    return to_json(alerts.confirm_visually(rt, actor, alert_id=alert_id))


@router.post("/{alert_id}/other-confirmation")
def confirm_by_other_means(
    rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId, body: OtherMeans
) -> dict[str, Any]:
    """Record the confirmation by other means: the hit is then confirmed."""
    confirmed = alerts.confirm_by_other_means(
        rt, actor, alert_id=alert_id, how=body.how, answer=body.answer
    )
    return to_json(confirmed)


@router.post("/{alert_id}/rejection")
def reject(
    rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId, body: Rejection
) -> dict[str, Any]:
    """Reject a hit with its reason."""
    rejected = alerts.reject(rt, actor, alert_id=alert_id, reason=body.reason, note=body.note)
    return to_json(rejected)


@router.post("/{alert_id}/outcome")
def record_outcome(
    rt: RuntimeDep, actor: CurrentActor, alert_id: AlertId, body: OutcomeReport
) -> dict[str, Any]:
    """Record what came of a confirmed hit."""
    done = alerts.record_outcome(rt, actor, alert_id=alert_id, outcome=body.outcome, note=body.note)
    return to_json(done)
