"""Log on, see who you are, log off."""

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep, Token, client_address
from platewarden.api.ratelimit import check, limits
from platewarden.services import auth

router = APIRouter(prefix="/session", tags=["session"])


class Credentials(BaseModel):
    """A member's log-on: administrators and auditors add their authenticator's code."""

    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    code: Annotated[str | None, Field(max_length=16)] = None


@router.post("", status_code=201, responses=problems.responses(429))
def log_on(body: Credentials, rt: RuntimeDep, request: Request) -> dict[str, Any]:
    """Open a session; its token goes in `Authorization: Bearer` on every other call.

    Log-on attempts are limited per client address and per user name (429, Retry-After).
    """
    limiter = limits(request)
    check(limiter.logon_by_address, client_address(request) or "", "log-on attempts from here")
    check(limiter.logon_by_name, body.username.casefold(), "log-on attempts for this user name")
    session = auth.log_on(
        rt,
        username=body.username,
        password=body.password,
        totp_code=body.code,
        client_address=client_address(request),
    )
    return {
        "token": session.token,
        "member": session.actor.name,
        "roles": sorted(r.value for r in session.actor.roles),
        "untrained": {r.value: why for r, why in session.actor.untrained},
        "must_change_password": session.must_change_password,
        "idle_minutes": rt.policy.access.session_idle_minutes,
    }


@router.get("")
def who_am_i(actor: CurrentActor) -> dict[str, Any]:
    """Say who the session acts as and which roles are in force."""
    return {
        "member": actor.name,
        "roles": sorted(r.value for r in actor.roles),
        "untrained": {r.value: why for r, why in actor.untrained},
    }


@router.delete("", status_code=204)
def log_off(rt: RuntimeDep, token: Token) -> Response:
    """End the session."""
    auth.log_off(rt, token)
    return Response(status_code=204)
