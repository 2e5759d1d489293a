"""Reads pushed by other ALPR systems and cameras, with a device token."""

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from platewarden.api import problems
from platewarden.api.deps import RuntimeDep, Token, client_address, read_body
from platewarden.api.ratelimit import check, limits
from platewarden.services.devices import MAX_BATCH, DeviceActor, device_actor, push_reads
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.read_formats import FormatError, rows_from_body

router = APIRouter(prefix="/reads", tags=["devices"])

MAX_BODY_BYTES = 5 * 2**20  # 1,000 reads with their alternatives


def current_device(request: Request, rt: RuntimeDep, token: Token) -> DeviceActor:
    """Return the device whose token the request carries; a member's token is refused.

    The token's requests are counted before it is looked up: a device over its rate costs
    the database nothing.
    """
    key = hashlib.sha256(token.encode()).hexdigest()
    check(limits(request).device, key, "requests from this device")
    return device_actor(rt, token, client_address=client_address(request))


@router.post(
    "",
    status_code=201,
    responses=problems.responses(413, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": (
                '{"reads": [...]} in the fields of `platewarden ingest` (at most '
                f"{MAX_BATCH}), an OpenALPR/Rekor alpr_results message, or a Plate Recognizer "
                "Snapshot answer or Stream webhook."
            ),
        }
    },
)
async def push(
    request: Request,
    rt: RuntimeDep,
    device: Annotated[DeviceActor, Depends(current_device)],
) -> dict[str, Any]:
    """Store a batch of reads once each (a re-sent batch stores nothing twice), or none."""
    try:
        body = json.loads(await read_body(request, MAX_BODY_BYTES))
        rows = rows_from_body(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and FormatError among them
        reason = str(exc) if isinstance(exc, FormatError) else "the body is not valid JSON"
        raise InvalidInputError("reads refused:", [Problem("body", reason)]) from None
    result = await run_in_threadpool(push_reads, rt, device, rows)
    return {
        "received": result.received,
        "stored": result.stored,
        "duplicates": result.duplicates,
        "alerts": len(result.alerts),
    }
