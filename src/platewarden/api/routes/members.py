"""Members and their training: added, changed and deactivated by administrators, never deleted.

A member is named in the body, never in a URL (access logs keep URLs).
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.policy.access import Role
from platewarden.services import members

router = APIRouter(tags=["members"])

Username = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class Named(BaseModel):
    """One member, by user name."""

    username: Username


class NewMember(Named):
    """A member to add: their first password must be changed at their first log-on."""

    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    roles: Annotated[list[Role], Field(min_length=1)]
    badge_number: Annotated[str | None, Field(max_length=32)] = None
    supervisor: Username | None = None


class Deactivation(Named):
    """Why a member loses access."""

    reason: Text


class Roles(Named):
    """The roles a member holds from now on."""

    roles: Annotated[list[Role], Field(min_length=1)]


class PasswordReset(Named):
    """A temporary password the member must replace."""

    new_password: Annotated[str, Field(min_length=1, max_length=1024)]


class Grant(Named):
    """Why a member may see confidential hot-list details."""

    reason: Text


class Training(Named):
    """A completed course."""

    course: Annotated[str, Field(min_length=1, max_length=200)]
    completed_on: datetime
    expires_on: datetime | None = None


@router.get("/members")
def list_members(rt: RuntimeDep, actor: CurrentActor) -> list[dict[str, Any]]:
    """List every member, active or not."""
    return to_json(members.list_members(rt, actor))


@router.post("/members/query", responses=problems.responses(404))
def show_member(rt: RuntimeDep, actor: CurrentActor, body: Named) -> dict[str, Any]:
    """Show a member with their training and confidential-data grant."""
    member, training, confidential = members.show_member(rt, actor, username=body.username)
    return {"member": to_json(member), "training": to_json(training), "confidential": confidential}


@router.post("/members", status_code=201, responses=problems.responses(404))
def add_member(rt: RuntimeDep, actor: CurrentActor, body: NewMember) -> dict[str, Any]:
    """Add a member; the password given lets them only choose their own at first log-on."""
    added = members.add_member(rt, actor, **body.model_dump(), must_change_password=True)
    return to_json(added)


@router.post("/members/deactivation", responses=problems.responses(404))
def deactivate(rt: RuntimeDep, actor: CurrentActor, body: Deactivation) -> dict[str, Any]:
    """Deactivate a member: their sessions end, their record stays."""
    return to_json(members.deactivate(rt, actor, username=body.username, reason=body.reason))


@router.post("/members/roles", responses=problems.responses(404))
def set_roles(rt: RuntimeDep, actor: CurrentActor, body: Roles) -> dict[str, Any]:
    """Set a member's roles."""
    return to_json(members.set_roles(rt, actor, username=body.username, roles=body.roles))


@router.post("/members/password-reset", status_code=204, responses=problems.responses(404))
def reset_password(rt: RuntimeDep, actor: CurrentActor, body: PasswordReset) -> None:
    """Give a member a temporary password."""
    members.reset_password(rt, actor, username=body.username, new_password=body.new_password)


@router.post("/members/second-factor", responses=problems.responses(404))
def enroll_totp(rt: RuntimeDep, actor: CurrentActor, body: Named) -> dict[str, Any]:
    """Enrol (or re-enrol) a member's authenticator; the secret is shown this once."""
    return to_json(members.enroll_totp(rt, actor, username=body.username))


@router.post("/members/confidential-grant", status_code=204, responses=problems.responses(404))
def grant_confidential(rt: RuntimeDep, actor: CurrentActor, body: Grant) -> None:
    """Let a member see confidential hot-list details."""
    members.grant_confidential(rt, actor, username=body.username, reason=body.reason)


@router.post("/members/confidential-revocation", status_code=204, responses=problems.responses(404))
def revoke_confidential(rt: RuntimeDep, actor: CurrentActor, body: Named) -> None:
    """End a member's confidential-data grant."""
    members.revoke_confidential(rt, actor, username=body.username)


@router.post("/training", status_code=201, responses=problems.responses(404))
def record_training(rt: RuntimeDep, actor: CurrentActor, body: Training) -> dict[str, Any]:
    """Record a completed course."""
    return to_json(members.record_training(rt, actor, **body.model_dump()))
