"""The department's cameras: listed with whether each is heard from, added, moved, put in or out
of service."""

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.domain import CameraKind, CameraStatus
from platewarden.services import cameras

router = APIRouter(prefix="/cameras", tags=["cameras"])

CameraName = Annotated[str, Field(min_length=1, max_length=100)]
Latitude = Annotated[float | None, Field(ge=-90, le=90)]
Longitude = Annotated[float | None, Field(ge=-180, le=180)]
Heading = Annotated[float | None, Field(ge=0, lt=360)]


class Placement(BaseModel):
    """Where a camera stands and faces; what is left out stays as it is."""

    name: CameraName
    location: Annotated[str | None, Field(max_length=200)] = None
    latitude: Latitude = None
    longitude: Longitude = None
    heading: Heading = None


class NewCamera(Placement):
    """A camera to register."""

    kind: CameraKind = CameraKind.FIXED


class StatusChange(BaseModel):
    """A camera put in or out of service, or retired."""

    name: CameraName
    status: CameraStatus


@router.get("")
def list_cameras(rt: RuntimeDep, actor: CurrentActor) -> list[dict[str, Any]]:
    """List the cameras: status, when each was last heard from, and whether it is offline."""
    return to_json(cameras.list_cameras(rt, actor))


@router.post("", status_code=201)
def add_camera(rt: RuntimeDep, actor: CurrentActor, body: NewCamera) -> dict[str, Any]:
    """Register a camera."""
    return to_json(cameras.add_camera(rt, actor, **body.model_dump()))


@router.post("/placement", responses=problems.responses(404))
def move_camera(rt: RuntimeDep, actor: CurrentActor, body: Placement) -> dict[str, Any]:
    """Change where a camera stands or faces."""
    return to_json(cameras.edit_camera(rt, actor, **body.model_dump()))


@router.post("/status", status_code=204, responses=problems.responses(404))
def set_status(rt: RuntimeDep, actor: CurrentActor, body: StatusChange) -> None:
    """Put a camera in or out of service, or retire it."""
    cameras.set_camera_status(rt, actor, name=body.name, status=body.status)
