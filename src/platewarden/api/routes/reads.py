"""Reads pushed by other ALPR systems and cameras, with a device token."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from platewarden.api.deps import RuntimeDep, Token, client_address
from platewarden.services.devices import MAX_BATCH, DeviceActor, device_actor, push_reads

router = APIRouter(prefix="/reads", tags=["devices"])


def current_device(request: Request, rt: RuntimeDep, token: Token) -> DeviceActor:
    """Return the device whose token the request carries; a member's token is refused."""
    return device_actor(rt, token, client_address=client_address(request))


class Batch(BaseModel):
    """Reads in our JSON fields (as `platewarden ingest` takes them), checked all together."""

    reads: Annotated[list[Any], Field(min_length=1, max_length=MAX_BATCH)]


@router.post("", status_code=201)
def push(
    body: Batch,
    rt: RuntimeDep,
    device: Annotated[DeviceActor, Depends(current_device)],
) -> dict[str, Any]:
    """Store a batch of reads once each (a re-sent batch stores nothing twice), or none."""
    result = push_reads(rt, device, body.reads)
    return {
        "received": result.received,
        "stored": result.stored,
        "duplicates": result.duplicates,
        "alerts": len(result.alerts),
    }
