"""Camera frames, pushed with the camera's device token and read by the workers."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from platewarden.api import problems
from platewarden.api.deps import RuntimeDep, read_body
from platewarden.api.routes.reads import current_device
from platewarden.services.devices import DeviceActor
from platewarden.services.frames import MAX_FRAME_BYTES, receive_frame

router = APIRouter(prefix="/frames", tags=["devices"])

IMAGE_TYPES = ("image/jpeg", "image/png")


@router.post(
    "",
    status_code=202,
    responses=problems.responses(404, 413, 415, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in IMAGE_TYPES},
        }
    },
)
async def push_frame(
    request: Request,
    rt: RuntimeDep,
    device: Annotated[DeviceActor, Depends(current_device)],
    frame_id: Annotated[
        str, Query(min_length=1, max_length=100, description="The camera's own id.")
    ],
    captured_at: Annotated[datetime, Query(description="When it was taken (ISO 8601, a zone).")],
    latitude: Annotated[float | None, Query(ge=-90, le=90)] = None,
    longitude: Annotated[float | None, Query(ge=-180, le=180)] = None,
    heading: Annotated[float | None, Query(ge=0, lt=360)] = None,
) -> dict[str, Any]:
    """Queue a frame (the JPEG or PNG as the body); answered once it is durably stored.

    Sending the same frame id again stores nothing twice; when the queue is full the answer is
    429 with Retry-After, and the frame is not kept.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in IMAGE_TYPES:
        raise HTTPException(415, f"send the frame as {' or '.join(IMAGE_TYPES)}")
    image = await read_body(request, MAX_FRAME_BYTES)
    receipt = await run_in_threadpool(
        lambda: receive_frame(
            rt,
            device,
            image=image,
            client_frame_id=frame_id,
            captured_at=captured_at,
            latitude=latitude,
            longitude=longitude,
            heading=heading,
        )
    )
    return {"frame": receipt.frame_id, "duplicate": receipt.duplicate}
