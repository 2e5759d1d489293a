"""Patrol-car units: their copy of the hot lists, signed for each unit, and their records."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from platewarden.api import problems
from platewarden.api.deps import RuntimeDep, read_body
from platewarden.api.routes.reads import current_device
from platewarden.services.devices import DeviceActor
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.unit_records import receive_records
from platewarden.services.unit_sync import SIGNATURE_HEADER, hotlist_changes

router = APIRouter(prefix="/units", tags=["devices"])
MAX_BODY_BYTES = 5 * 2**20


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


@router.post(
    "/records",
    responses=problems.responses(413, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": (
                '{"audit": [...], "alerts": [...]}: the unit\'s audit records and its '
                "officers' alert events, grouped with their alert."
            ),
        }
    },
)
async def records(
    request: Request,
    rt: RuntimeDep,
    device: Annotated[DeviceActor, Depends(current_device)],
) -> dict[str, Any]:
    """Store a unit's audit records and apply its alert events, each once, all or nothing."""
    try:
        body = json.loads(await read_body(request, MAX_BODY_BYTES))
    except (ValueError, RecursionError):
        raise InvalidInputError(
            "unit records refused:", [Problem("body", "the body is not valid JSON")]
        ) from None
    receipt = await run_in_threadpool(receive_records, rt, device, body)
    return receipt.__dict__
