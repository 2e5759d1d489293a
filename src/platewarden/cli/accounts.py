"""Members and access: `first-run`, `login`, `logout`, `whoami`, `user` and `training`."""

import sys
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import segno
import typer

from platewarden.api.encode import to_json
from platewarden.cli.choices import Course
from platewarden.cli.context import (
    console,
    console_actor,
    console_binding,
    opened_runtime,
    session_file,
)
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import parse_time, required_time, show_date
from platewarden.policy.access import Role
from platewarden.policy.model import read_policy_text
from platewarden.services import auth, members, policies
from platewarden.store.files import make_private_dir, write_private_text

users = typer.Typer(
    help="Members: add, list, show, deactivate, reset passwords, second factor.",
    no_args_is_help=True,
)
training = typer.Typer(
    help="Training records: a role grants nothing without current training.", no_args_is_help=True
)


class MemberRole(StrEnum):
    """The roles a person may hold (a camera's and the installation's are not offered)."""

    OFFICER = Role.OFFICER.value
    INVESTIGATOR = Role.INVESTIGATOR.value
    SUPERVISOR = Role.SUPERVISOR.value
    ADMINISTRATOR = Role.ADMINISTRATOR.value
    AUDITOR = Role.AUDITOR.value
    RECORDS_CUSTODIAN = Role.RECORDS_CUSTODIAN.value


PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from standard input, a line each, instead of a prompt "
        "(for scripts).",
    ),
]


def _password(prompt: str = "Password", *, stdin: bool = False, confirm: bool = True) -> str:
    """Ask for a password at a hidden prompt, or read its line from standard input."""
    if not stdin:
        return typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise typer.BadParameter(
            f"{prompt.lower()}: no line on standard input", param_hint="--password-stdin"
        )
    return line


def _people(roles: Iterable[MemberRole]) -> list[Role]:
    return [Role(r.value) for r in roles]


def _show_enrollment(secret: str, uri: str) -> None:
    """Print a second-factor secret and its address whole, and the address as a QR code."""
    console.print(f"secret: {secret}", highlight=False)
    console.print(f"address: {uri}", highlight=False, soft_wrap=True)
    segno.make(uri).terminal(compact=True)


def _roles(roles: Iterable[Role]) -> str:
    return ", ".join(sorted(r.value for r in roles))


def first_run(
    username: Annotated[str, typer.Option(help="The first administrator's user name.")],
    full_name: Annotated[str, typer.Option(help="Their full name.")],
    course_completed: Annotated[
        str, typer.Option(help="When they completed the ALPR administrator course (ISO 8601 date).")
    ],
    policy: Annotated[
        Path | None,
        typer.Option(help="The agency's policy file, put in force before anything else."),
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create the first administrator of a new system (only while there are no members)."""
    password = _password(stdin=password_stdin)
    with opened_runtime() as rt:
        if policy is not None:
            text = read_policy_text(policy)
            version = policies.apply_first_run_policy(rt, text, source=str(policy.resolve()))
            console.print(f"policy version {version.version} in force: {policy}")
        member, enrollment = members.create_first_administrator(
            rt,
            username=username,
            full_name=full_name,
            password=password,
            course_completed_on=required_time(course_completed),
        )
    console.print(
        f"administrator {member.username} created; "
        "from now on every command needs `platewarden login`"
    )
    console.print("second factor: add this secret to an authenticator app (shown once):")
    _show_enrollment(enrollment.secret, enrollment.uri)


def login(
    username: Annotated[str, typer.Option(prompt=True, help="Your user name.")],
    code: Annotated[
        str | None, typer.Option(help="Your authenticator's code (administrators and auditors).")
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Log on at this console (the session ends after the policy's idle minutes)."""
    password = _password(stdin=password_stdin, confirm=False)
    with opened_runtime() as rt:
        session = auth.log_on(
            rt,
            username=username,
            password=password,
            totp_code=code,
            client_address="console",
            bound_to=console_binding(rt),
        )
        path = session_file(rt)
        make_private_dir(path.parent)
        write_private_text(path, session.token)
    roles = _roles(session.actor.roles) or "none in force"
    console.print(f"logged on as {session.actor.name}; roles in force: {roles}")
    for role, why in session.actor.untrained:
        console.print(f"[yellow]role {role.value} is not in force:[/yellow] {why}")
    if session.must_change_password:
        console.print(
            "[yellow]your password was reset: set your own with `platewarden passwd`[/yellow]"
        )


def passwd(
    username: Annotated[str, typer.Option(prompt=True, help="Your user name.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set your own password (required after an administrator reset it); with
    --password-stdin the current password is the first line and the new one the second."""
    old = _password("Current password", stdin=password_stdin, confirm=False)
    new = _password("New password", stdin=password_stdin)
    with opened_runtime() as rt:
        auth.change_password(rt, username=username, old_password=old, new_password=new)
    console.print("password changed")


def logout() -> None:
    """End the session at this console."""
    with opened_runtime() as rt:
        path = session_file(rt)
        if path.exists():
            auth.log_off(rt, path.read_text().strip())
            path.unlink()
    console.print("logged off")


def whoami() -> None:
    """Show who this console acts as, and which roles are in force."""
    with opened_runtime() as rt:
        actor = console_actor(rt)
    console.print(
        f"{actor.name}: {', '.join(sorted(r.value for r in actor.roles)) or 'no roles in force'}"
    )
    for role, why in actor.untrained:
        console.print(f"role {role.value} not in force: {why}")


@users.command("add")
def add(
    username: str,
    full_name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[list[MemberRole], typer.Option(help="A role (repeatable).")],
    badge: Annotated[str | None, typer.Option(help="Badge number.")] = None,
    supervisor: Annotated[str | None, typer.Option(help="User name of their supervisor.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a member; they act once trained for their roles, and choose their own password at
    their first log-on."""
    password = _password("Initial password", stdin=password_stdin)
    with opened_runtime() as rt:
        member = members.add_member(
            rt,
            console_actor(rt),
            username=username,
            full_name=full_name,
            password=password,
            roles=_people(role),
            badge_number=badge,
            supervisor=supervisor,
            must_change_password=True,
        )
    console.print(f"member {member.username} added with roles {_roles(member.roles)}")


@users.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List every member, active or not."""
    with opened_runtime() as rt:
        found = members.list_members(rt, console_actor(rt))
    if as_json:
        print_json(found)
        return
    table = new_table("user", "name", "badge", "roles", "2FA", "state")
    for m in found:
        state = (
            "active"
            if m.active
            else f"deactivated {show_date(m.deactivated_at, rt.settings.zone)}"
            if m.deactivated_at
            else "inactive"
        )
        table.add_row(
            m.username,
            m.full_name,
            m.badge_number or "",
            _roles(m.roles),
            "yes" if m.totp_enrolled else "",
            state,
        )
    console.print(table)


@users.command("show")
def show(username: str, as_json: JsonFlag = False) -> None:
    """Show a member with their training and grants."""
    with opened_runtime() as rt:
        member, records, confidential = members.show_member(
            rt, console_actor(rt), username=username
        )
    if as_json:  # as the API answers
        print_json([{"member": member, "training": records, "confidential": confidential}])
        return
    zone = rt.settings.zone
    console.print(
        f"[bold]{member.username}[/bold] {member.full_name} · roles {_roles(member.roles)}"
    )
    console.print(
        f"active: {member.active}; second factor: {member.totp_enrolled}; "
        f"confidential data: {confidential}"
    )
    for t in records:
        expires = show_date(t.expires_on, zone) if t.expires_on else "policy default"
        console.print(
            f"  training {t.course}: completed {show_date(t.completed_on, zone)}, "
            f"expires {expires}, by {t.recorded_by}"
        )


@users.command("deactivate")
def deactivate(username: str, reason: Annotated[str, typer.Option(help="Why.")]) -> None:
    """Deactivate a member (never deleted: the record of who had access stays)."""
    with opened_runtime() as rt:
        members.deactivate(rt, console_actor(rt), username=username, reason=reason)
    console.print(f"member {username} deactivated")


@users.command("reset-password")
def reset_password(username: str, password_stdin: PasswordStdin = False) -> None:
    """Set a temporary password and unlock the account."""
    password = _password("Temporary password", stdin=password_stdin)
    with opened_runtime() as rt:
        members.reset_password(rt, console_actor(rt), username=username, new_password=password)
    console.print(f"password of {username} reset; their sessions ended")


@users.command("set-roles")
def set_roles(
    username: str, role: Annotated[list[MemberRole], typer.Option(help="A role (repeatable).")]
) -> None:
    """Replace a member's roles."""
    with opened_runtime() as rt:
        members.set_roles(rt, console_actor(rt), username=username, roles=_people(role))
    console.print(f"roles of {username} set")


@users.command("enroll-totp")
def enroll_totp(username: str) -> None:
    """Give a member a second-factor secret for their authenticator app (shown once)."""
    with opened_runtime() as rt:
        enrollment = members.enroll_totp(rt, console_actor(rt), username=username)
    _show_enrollment(enrollment.secret, enrollment.uri)


@users.command("grant-confidential")
def grant_confidential(
    username: str, reason: Annotated[str, typer.Option(help="Why they need it.")]
) -> None:
    """Authorise a member for confidential hot-list data."""
    with opened_runtime() as rt:
        members.grant_confidential(rt, console_actor(rt), username=username, reason=reason)
    console.print(f"{username} may see confidential hot-list data")


@users.command("revoke-confidential")
def revoke_confidential(username: str) -> None:
    """Withdraw a member's confidential-data grant."""
    with opened_runtime() as rt:
        members.revoke_confidential(rt, console_actor(rt), username=username)
    console.print(f"{username} may no longer see confidential hot-list data")


@training.command("add")
def add_training(
    username: str,
    course: Course,
    completed: Annotated[str, typer.Option(help="Completion date (ISO 8601).")],
    expires: Annotated[
        str | None, typer.Option(help="Expiry (ISO 8601 date); default from the policy.")
    ] = None,
) -> None:
    """Record a member's completed course."""
    with opened_runtime() as rt:
        record = members.record_training(
            rt,
            console_actor(rt),
            username=username,
            course=course,
            completed_on=required_time(completed),
            expires_on=parse_time(expires),
        )
    console.print(f"training {record.course} recorded for {username}")


@training.command("list")
def list_training(
    expiring: Annotated[
        int | None,
        typer.Option(min=0, help="Only courses that lapse within this many days (30: a month)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the members' courses, soonest expiry first."""
    within = timedelta(days=expiring) if expiring is not None else None
    with opened_runtime() as rt:
        found = members.list_training(rt, console_actor(rt), expiring_within=within)
    if as_json:  # each training record as the API writes it, with the member's user name
        print_json([{"username": username} | to_json(course) for username, course in found])
        return
    zone = rt.settings.zone
    table = new_table("member", "course", "completed", "expires", times={"completed", "expires"})
    for username, course in found:
        expires = show_date(course.expires_on, zone) if course.expires_on else "never"
        table.add_row(username, course.course, show_date(course.completed_on, zone), expires)
    console.print(table)
