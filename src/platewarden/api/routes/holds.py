"""Legal holds: reads kept past retention for evidence, a lawful order or a preservation request."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.domain import HoldKind, PreservationRequest
from platewarden.selection import ReadSelection
from platewarden.services import holds

router = APIRouter(prefix="/holds", tags=["holds"])

HoldId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The hold's number.")]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class Selection(BaseModel):
    """Which reads: by ids, plates (full or with ? and *), time window, cameras and area."""

    read_ids: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=10_000)] = []
    plates: Annotated[list[Annotated[str, Field(max_length=16)]], Field(max_length=100)] = []
    ocr_equivalent: bool = False
    since: datetime | None = None
    until: datetime | None = None
    cameras: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)] = []
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None
    radius_m: Annotated[float | None, Field(gt=0, le=100_000)] = None


class Preservation(BaseModel):
    """An outside agency's sworn preservation request: every field is required."""

    requesting_agency: Text
    requesting_person: Text
    camera_locations: Text
    plate: Annotated[str, Field(min_length=1, max_length=16)]
    time_frames: Text
    facts: Text


class NewHold(BaseModel):
    """A hold on the reads a selection finds now, for a purpose and a case."""

    kind: HoldKind
    purpose: Annotated[str, Field(min_length=1, max_length=64)]
    case_number: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Text
    selection: Selection
    preservation: Preservation | None = None


class Release(BaseModel):
    """Why a hold ends (its reads then follow retention again)."""

    reason: Text


@router.get("")
def list_holds(
    rt: RuntimeDep, actor: CurrentActor, active_only: Annotated[bool, Query()] = True
) -> list[Any]:
    """List holds, the active ones by default."""
    return to_json(holds.list_holds(rt, actor, active_only=active_only))


@router.get("/{hold_id}", responses=problems.responses(404))
def show_hold(rt: RuntimeDep, actor: CurrentActor, hold_id: HoldId) -> dict[str, Any]:
    """Show a hold."""
    return to_json(holds.get_hold(rt, actor, hold_id=hold_id))


@router.post("", status_code=201)
def create_hold(rt: RuntimeDep, actor: CurrentActor, body: NewHold) -> dict[str, Any]:
    """Place a hold."""
    chosen = body.selection
    selection = ReadSelection(
        read_ids=tuple(chosen.read_ids),
        plates=tuple(chosen.plates),
        ocr_equivalent=chosen.ocr_equivalent,
        since=chosen.since,
        until=chosen.until,
        cameras=tuple(chosen.cameras),
        latitude=chosen.latitude,
        longitude=chosen.longitude,
        radius_m=chosen.radius_m,
    )
    preservation = (
        PreservationRequest(**body.preservation.model_dump()) if body.preservation else None
    )
    hold = holds.create_hold(
        rt,
        actor,
        kind=body.kind,
        purpose=body.purpose,
        case_number=body.case_number,
        reason=body.reason,
        selection=selection,
        preservation=preservation,
    )
    return to_json(hold)


@router.post("/{hold_id}/release", responses=problems.responses(404))
def release_hold(
    rt: RuntimeDep, actor: CurrentActor, hold_id: HoldId, body: Release
) -> dict[str, Any]:
    """Release a hold."""
    return to_json(holds.release_hold(rt, actor, hold_id=hold_id, reason=body.reason))
