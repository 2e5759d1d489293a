"""Patrol-car units: their copy of the hot lists, signed for each unit."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from platewarden.api import problems
from platewarden.api.deps import RuntimeDep
from platewarden.api.routes.reads import current_device
from platewarden.services.devices import DeviceActor
from platewarden.services.unit_sync import SIGNATURE_HEADER, hotlist_changes

router = APIRouter(prefix="/units", tags=["devices"])


@router.get("/hotlists", responses=problems.responses(429))
async def hotlist_sync(
    rt: RuntimeDep,
    device: Annotated[DeviceActor, Depends(current_device)],
    since: Annotated[
        str | None,
        Query(max_length=100, description="The cursor of the unit's copy; none for all of it."),
    ] = None,
) -> Response:
    """Return the hot-list changes since the unit's copy, signed with the unit's key.

    The signature (HMAC-SHA256 of the body) is in the `Platewarden-Signature` header as
    `v1=HEX`; confidential entries are never sent to a unit.
    """
    body, signature = await run_in_threadpool(hotlist_changes, rt, device, since=since)
    return Response(body, media_type="application/json", headers={SIGNATURE_HEADER: signature})
