"""The administrator's members: accounts, roles, training, second factor and confidential grants.

Pages name a member by id; the services take the user name, found from the list.
"""

from typing import Annotated

import segno
from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse

from platewarden.api.deps import RuntimeDep
from platewarden.domain import Actor, Member
from platewarden.policy.access import MACHINE_ROLES, Role
from platewarden.services import members
from platewarden.services.errors import NotFoundError
from platewarden.services.members import Enrollment
from platewarden.services.runtime import Runtime
from platewarden.web.admin_fields import local_day
from platewarden.web.render import console_router, render
from platewarden.web.session import Member as Session

router = console_router()

MemberId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Username = Annotated[str, Form(min_length=1, max_length=64)]
Password = Annotated[str, Form(min_length=1, max_length=1024)]
Reason = Annotated[str, Form(min_length=1, max_length=2000)]
Roles = Annotated[list[Role], Form(min_length=1)]
Optional = Annotated[str, Form(max_length=64)]
PERSON_ROLES = [role for role in Role if role not in MACHINE_ROLES]


@router.get("/members", response_class=HTMLResponse)
def list_page(request: Request, rt: RuntimeDep, actor: Session) -> HTMLResponse:
    """Every member, active or not, and the form to add one."""
    return _list(request, rt, actor)


@router.post("/members", response_class=HTMLResponse)
def add(
    request: Request,
    rt: RuntimeDep,
    actor: Session,
    username: Username,
    full_name: Annotated[str, Form(min_length=1, max_length=200)],
    password: Password,
    roles: Roles,
    badge_number: Annotated[str, Form(max_length=32)] = "",
    supervisor: Optional = "",
) -> HTMLResponse:
    """Add a member who must replace the given password at the first log-on."""
    added = members.add_member(
        rt,
        actor,
        username=username,
        full_name=full_name,
        password=password,
        roles=roles,
        badge_number=badge_number.strip() or None,
        supervisor=supervisor.strip() or None,
        must_change_password=True,
    )
    note = f"{added.username} is added; they choose their own password at the first log-on."
    return _member(request, rt, actor, added, note=note)


@router.get("/members/{member_id}", response_class=HTMLResponse)
def show(request: Request, rt: RuntimeDep, actor: Session, member_id: MemberId) -> HTMLResponse:
    """One member: roles, training, second factor and grant, with the forms to change them."""
    return _member(request, rt, actor, _find(rt, actor, member_id))


@router.post("/members/{member_id}/roles", response_class=HTMLResponse)
def set_roles(
    request: Request, rt: RuntimeDep, actor: Session, member_id: MemberId, roles: Roles
) -> HTMLResponse:
    """Give the member these roles from now on."""
    member = members.set_roles(rt, actor, username=_name(rt, actor, member_id), roles=roles)
    return _member(request, rt, actor, member, note="The roles are changed.")


@router.post("/members/{member_id}/training", response_class=HTMLResponse)
def record_training(
    request: Request,
    rt: RuntimeDep,
    actor: Session,
    member_id: MemberId,
    course: Annotated[str, Form(min_length=1, max_length=200)],
    completed_on: Annotated[str, Form(min_length=1, max_length=10)],
    expires_on: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """Record a completed course, with its expiry (the policy's validity when left empty)."""
    member = _find(rt, actor, member_id)
    members.record_training(
        rt,
        actor,
        username=member.username,
        course=course,
        completed_on=local_day(completed_on, "completed on") or rt.clock.now(),
        expires_on=local_day(expires_on, "expires on", end=True),
    )
    return _member(request, rt, actor, member, note=f"The course {course} is recorded.")


@router.post("/members/{member_id}/password-reset", response_class=HTMLResponse)
def reset_password(
    request: Request, rt: RuntimeDep, actor: Session, member_id: MemberId, new_password: Password
) -> HTMLResponse:
    """Give the member a temporary password, to be replaced at the next log-on."""
    member = _find(rt, actor, member_id)
    members.reset_password(rt, actor, username=member.username, new_password=new_password)
    note = "The password is reset; the member's sessions are ended and they choose a new one."
    return _member(request, rt, actor, member, note=note)


@router.post("/members/{member_id}/deactivation", response_class=HTMLResponse)
def deactivate(
    request: Request, rt: RuntimeDep, actor: Session, member_id: MemberId, reason: Reason
) -> HTMLResponse:
    """Deactivate the member: no more log-ons; their record and audit trail stay."""
    member = members.deactivate(rt, actor, username=_name(rt, actor, member_id), reason=reason)
    return _member(request, rt, actor, member, note="The member is deactivated.")


@router.post("/members/{member_id}/second-factor", response_class=HTMLResponse)
def enroll_totp(
    request: Request, rt: RuntimeDep, actor: Session, member_id: MemberId
) -> HTMLResponse:
    """Give the member a new authenticator secret, shown this once as a QR code and as text."""
    member = _find(rt, actor, member_id)
    enrollment = members.enroll_totp(rt, actor, username=member.username)
    return _member(
        request, rt, actor, _find(rt, actor, member_id), enrollment=enrollment, qr=_qr(enrollment)
    )


@router.post("/members/{member_id}/confidential-grant", response_class=HTMLResponse)
def grant_confidential(
    request: Request, rt: RuntimeDep, actor: Session, member_id: MemberId, reason: Reason
) -> HTMLResponse:
    """Authorise the member for confidential hot-list details."""
    member = _find(rt, actor, member_id)
    members.grant_confidential(rt, actor, username=member.username, reason=reason)
    return _member(request, rt, actor, member, note="Confidential access is granted.")


@router.post("/members/{member_id}/confidential-revocation", response_class=HTMLResponse)
def revoke_confidential(
    request: Request, rt: RuntimeDep, actor: Session, member_id: MemberId
) -> HTMLResponse:
    """Withdraw the member's confidential-data grant."""
    member = _find(rt, actor, member_id)
    members.revoke_confidential(rt, actor, username=member.username)
    return _member(request, rt, actor, member, note="Confidential access is withdrawn.")


def _list(request: Request, rt: Runtime, actor: Actor) -> HTMLResponse:
    return render(
        request,
        "members/list.html",
        actor=actor,
        members=members.list_members(rt, actor),
        roles=PERSON_ROLES,
    )


def _find(rt: Runtime, actor: Actor, member_id: int) -> Member:
    found = next((m for m in members.list_members(rt, actor) if m.id == member_id), None)
    if found is None:
        raise NotFoundError(f"there is no member {member_id}")
    return found


def _name(rt: Runtime, actor: Actor, member_id: int) -> str:
    return _find(rt, actor, member_id).username


def _member(
    request: Request,
    rt: Runtime,
    actor: Actor,
    member: Member,
    *,
    note: str | None = None,
    enrollment: Enrollment | None = None,
    qr: str | None = None,
) -> HTMLResponse:
    shown, training, confidential = members.show_member(rt, actor, username=member.username)
    return render(
        request,
        "members/member.html",
        actor=actor,
        shown=shown,
        training=training,
        confidential=confidential,
        roles=PERSON_ROLES,
        courses=sorted(set(rt.policy.training.courses.values())),
        note=note,
        enrollment=enrollment,
        qr=qr,
    )


def _qr(enrollment: Enrollment) -> str:
    """Draw the authenticator's QR code as inline SVG (attributes only: the CSP allows no style)."""
    code = segno.make(enrollment.uri, error="m")
    return str(
        code.svg_inline(
            scale=5,
            border=4,
            dark="#000000",
            light="#ffffff",
            svgclass="qr",
            title="QR code of the authenticator secret",
        )
    )
