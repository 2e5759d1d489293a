"""What every route shares: the runtime, and the member a session token stands for."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from platewarden.domain import Actor
from platewarden.services.auth import LogonError, LogonReason, resume
from platewarden.services.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="The token `POST /api/v1/session` gave.")


def get_runtime(request: Request) -> Runtime:
    """Return the server's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def client_address(request: Request) -> str | None:
    """Return the caller's address, as the audit trail records it."""
    return request.client.host if request.client else None


def session_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """Return the bearer token of the request; refuse one without."""
    if credentials is None or not credentials.credentials:
        raise LogonError(
            "not logged on: send `Authorization: Bearer TOKEN`", LogonReason.NOT_LOGGED_ON
        )
    return credentials.credentials


def current_actor(
    request: Request,
    rt: Annotated[Runtime, Depends(get_runtime)],
    token: Annotated[str, Depends(session_token)],
) -> Actor:
    """Return the member whose session the request carries (its idle clock restarts)."""
    return resume(rt, token, client_address=client_address(request))


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
Token = Annotated[str, Depends(session_token)]


async def read_body(request: Request, limit: int) -> bytes:
    """Return the raw request body; over `limit` bytes it is a 413, read no further."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body is over {limit // 2**20} MB")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the body is over {limit // 2**20} MB")
        chunks.append(chunk)
    return b"".join(chunks)
