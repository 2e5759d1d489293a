"""The department's cameras."""

from typing import Any

from fastapi import APIRouter

from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.services import cameras

router = APIRouter(prefix="/cameras", tags=["cameras"])


@router.get("")
def list_cameras(rt: RuntimeDep, actor: CurrentActor) -> list[dict[str, Any]]:
    """List the cameras: status, when each was last heard from, and whether it is offline."""
    return to_json(cameras.list_cameras(rt, actor))
