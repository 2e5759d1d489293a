"""Members (426.6, 426.8): accounts, roles, training records and confidential-data grants.

Members are never deleted, only deactivated: the record of who had access is permanent.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from sqlalchemy.exc import IntegrityError

from platewarden.domain import Actor, Member, TrainingRecord
from platewarden.policy.access import MACHINE_ROLES, Action, Role
from platewarden.policy.passwords import check_password
from platewarden.services.audit import authorize, record
from platewarden.services.errors import AccessDeniedError, InvalidInputError, NotFoundError, Problem
from platewarden.services.runtime import Runtime
from platewarden.store import members as store

HASHER = PasswordHasher()  # argon2id with the library's recommended parameters
ISSUER = "Platewarden"
FIRST_RUN = Actor("first-run", frozenset({Role.SYSTEM}))


def _password_problems(rt: Runtime, password: str, username: str) -> list[Problem]:
    decision = check_password(rt.policy, password, username=username)
    return [] if decision.allowed else [Problem("password", decision.reason)]


@dataclass(frozen=True)
class Enrollment:
    """A new second-factor secret, shown once, and the URI an authenticator app scans."""

    secret: str
    uri: str


def create_first_administrator(
    rt: Runtime,
    *,
    username: str,
    full_name: str,
    password: str,
    course_completed_on: datetime,
) -> tuple[Member, Enrollment]:
    """Create the first administrator of an empty system, with their training and second factor."""
    with rt.engine.connect() as conn:
        if store.count_members(conn):
            raise AccessDeniedError("the first administrator exists already: use `user add`")
    member = _add(
        rt,
        FIRST_RUN,
        username=username,
        full_name=full_name,
        password=password,
        roles={Role.ADMINISTRATOR},
        badge_number=None,
        supervisor=None,
    )
    course = rt.policy.training.courses.get(Role.ADMINISTRATOR.value)
    if course:
        _record_training(
            rt, FIRST_RUN, member, course=course, completed_on=course_completed_on, expires_on=None
        )
    return member, _enroll(rt, FIRST_RUN, member)


def add_member(
    rt: Runtime,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    password: str,
    roles: Iterable[Role],
    badge_number: str | None = None,
    supervisor: str | None = None,
    must_change_password: bool = False,
) -> Member:
    """Add a member with roles; they act only once trained for a role.

    With `must_change_password` the given password only lets them choose their own.
    """
    authorize(rt, actor, Action.MANAGE_MEMBERS, parameters={"username": username})
    return _add(
        rt,
        actor,
        username=username,
        full_name=full_name,
        password=password,
        roles=set(roles),
        badge_number=badge_number,
        supervisor=supervisor,
        must_change_password=must_change_password,
    )


def _add(
    rt: Runtime,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    password: str,
    roles: set[Role],
    badge_number: str | None,
    supervisor: str | None,
    must_change_password: bool = False,
) -> Member:
    problems = _password_problems(rt, password, username)
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        problems.append(Problem("username", "use letters, digits, '.', '-' or '_'"))
    if not full_name.strip():
        problems.append(Problem("full name", "is required"))
    if not roles or roles & MACHINE_ROLES:
        problems.append(Problem("roles", "give at least one member role"))
    if problems:
        raise InvalidInputError(f"member {username!r} not added:", problems)
    now = rt.clock.now()
    try:
        with rt.engine.begin() as conn:
            boss = store.get_member(conn, username=supervisor) if supervisor else None
            if supervisor and boss is None:
                raise NotFoundError(f"there is no member {supervisor!r} to supervise")
            member_id = store.add_member(
                conn,
                values={
                    "username": username,
                    "full_name": full_name.strip(),
                    "badge_number": badge_number,
                    "roles": roles,
                    "supervisor_id": boss.id if boss else None,
                    "password_hash": HASHER.hash(password),
                    "password_changed_at": now,
                    "must_change_password": must_change_password,
                    "created_at": now,
                    "created_by": actor.name,
                },
            )
            record(
                conn,
                rt,
                actor,
                "add_member",
                parameters={"member": username, "roles": sorted(r.value for r in roles)},
            )
            member = store.get_member(conn, member_id=member_id)
    except IntegrityError:
        raise InvalidInputError(
            f"member {username!r} not added:",
            [Problem("username", "is taken (members are never deleted)")],
        ) from None
    assert member is not None
    return member


def _target(rt: Runtime, username: str) -> Member:
    with rt.engine.connect() as conn:
        member = store.get_member(conn, username=username)
    if member is None:
        raise NotFoundError(f"there is no member {username!r}")
    return member


def set_roles(rt: Runtime, actor: Actor, *, username: str, roles: Iterable[Role]) -> Member:
    """Change a member's roles (a privilege change, audited)."""
    authorize(rt, actor, Action.MANAGE_MEMBERS, parameters={"username": username})
    new = set(roles)
    if not new or new & MACHINE_ROLES:
        raise InvalidInputError(
            "roles not changed:", [Problem("roles", "give at least one member role")]
        )
    member = _target(rt, username)
    with rt.engine.begin() as conn:
        store.update_member(conn, member_id=member.id, values={"roles": new})
        record(
            conn,
            rt,
            actor,
            "set_roles",
            parameters={
                "member": username,
                "from": sorted(r.value for r in member.roles),
                "to": sorted(r.value for r in new),
            },
        )
    return _target(rt, username)


def deactivate(rt: Runtime, actor: Actor, *, username: str, reason: str) -> Member:
    """Deactivate a member: no more log-ons; their record and audit trail stay."""
    authorize(rt, actor, Action.MANAGE_MEMBERS, parameters={"username": username})
    if not reason.strip():
        raise InvalidInputError("not deactivated:", [Problem("reason", "is required")])
    member = _target(rt, username)
    now = rt.clock.now()
    with rt.engine.begin() as conn:
        store.update_member(
            conn,
            member_id=member.id,
            values={"active": False, "deactivated_at": now, "deactivated_by": actor.name},
        )
        store.end_sessions(conn, at=now, reason="deactivated", member_id=member.id)
        record(conn, rt, actor, "deactivate_member", reason=reason, parameters={"member": username})
    return _target(rt, username)


def reset_password(rt: Runtime, actor: Actor, *, username: str, new_password: str) -> None:
    """Set a temporary password the member must change at the next log-on; unlock the account."""
    authorize(rt, actor, Action.MANAGE_MEMBERS, parameters={"username": username})
    member = _target(rt, username)
    problems = _password_problems(rt, new_password, username)
    if problems:
        raise InvalidInputError("password not reset:", problems)
    with rt.engine.begin() as conn:
        store.update_member(
            conn,
            member_id=member.id,
            values={
                "password_hash": HASHER.hash(new_password),
                "password_changed_at": rt.clock.now(),
                "must_change_password": True,
                "failed_logons": 0,
                "locked_until": None,
            },
        )
        store.end_sessions(conn, at=rt.clock.now(), reason="password reset", member_id=member.id)
        record(conn, rt, actor, "reset_password", parameters={"member": username})


def enroll_totp(rt: Runtime, actor: Actor, *, username: str) -> Enrollment:
    """Give a member a new TOTP secret (replacing any old one)."""
    authorize(rt, actor, Action.MANAGE_MEMBERS, parameters={"username": username})
    return _enroll(rt, actor, _target(rt, username))


def _enroll(rt: Runtime, actor: Actor, member: Member) -> Enrollment:
    secret = pyotp.random_base32()
    with rt.engine.begin() as conn:
        store.update_member(
            conn,
            member_id=member.id,
            values={
                "totp_secret": rt.blobs.seal(secret.encode(), f"totp:{member.id}"),
                "totp_last_step": None,
            },
        )
        record(conn, rt, actor, "enroll_totp", parameters={"member": member.username})
    uri = pyotp.TOTP(secret).provisioning_uri(name=member.username, issuer_name=ISSUER)
    return Enrollment(secret, uri)


def record_training(
    rt: Runtime,
    actor: Actor,
    *,
    username: str,
    course: str,
    completed_on: datetime,
    expires_on: datetime | None = None,
) -> TrainingRecord:
    """Record a completed course (its expiry defaults to the policy's validity)."""
    authorize(
        rt, actor, Action.MANAGE_TRAINING, parameters={"username": username, "course": course}
    )
    member = _target(rt, username)
    known = set(rt.policy.training.courses.values())
    if course not in known:
        raise InvalidInputError(
            "training not recorded:",
            [Problem("course", f"{course!r} is not one of: {', '.join(sorted(known))}")],
        )
    if completed_on > rt.clock.now():
        raise InvalidInputError(
            "training not recorded:", [Problem("completed on", "is in the future")]
        )
    if expires_on is not None and expires_on <= completed_on:
        raise InvalidInputError(
            "training not recorded:", [Problem("expires on", "must be after completion")]
        )
    return _record_training(
        rt, actor, member, course=course, completed_on=completed_on, expires_on=expires_on
    )


def _record_training(
    rt: Runtime,
    actor: Actor,
    member: Member,
    *,
    course: str,
    completed_on: datetime,
    expires_on: datetime | None,
) -> TrainingRecord:
    with rt.engine.begin() as conn:
        record_id = store.add_training(
            conn,
            values={
                "member_id": member.id,
                "course": course,
                "completed_on": completed_on,
                "expires_on": expires_on,
                "recorded_by": actor.name,
                "recorded_at": rt.clock.now(),
            },
        )
        record(
            conn,
            rt,
            actor,
            "record_training",
            parameters={"member": member.username, "course": course},
        )
        found = [t for t in store.training_of(conn, member_id=member.id) if t.id == record_id]
    return found[0]


def grant_confidential(rt: Runtime, actor: Actor, *, username: str, reason: str) -> None:
    """Authorise a member for confidential hot-list data (a separate, recorded grant)."""
    authorize(rt, actor, Action.MANAGE_MEMBERS, parameters={"username": username})
    if not reason.strip():
        raise InvalidInputError("not granted:", [Problem("reason", "is required")])
    member = _target(rt, username)
    with rt.engine.begin() as conn:
        store.add_grant(
            conn,
            member_id=member.id,
            kind=store.CONFIDENTIAL,
            reason=reason,
            by=actor.name,
            at=rt.clock.now(),
        )
        record(
            conn, rt, actor, "grant_confidential", reason=reason, parameters={"member": username}
        )


def revoke_confidential(rt: Runtime, actor: Actor, *, username: str) -> None:
    """Withdraw a member's confidential-data grant."""
    authorize(rt, actor, Action.MANAGE_MEMBERS, parameters={"username": username})
    member = _target(rt, username)
    with rt.engine.begin() as conn:
        store.revoke_grants(
            conn, member_id=member.id, kind=store.CONFIDENTIAL, by=actor.name, at=rt.clock.now()
        )
        record(conn, rt, actor, "revoke_confidential", parameters={"member": username})


def list_members(rt: Runtime, actor: Actor) -> list[Member]:
    """Return every member, active or not."""
    authorize(rt, actor, Action.MANAGE_MEMBERS)
    with rt.engine.begin() as conn:
        found = store.list_members(conn)
        record(conn, rt, actor, "list_members", result_count=len(found))
    return found


def show_member(
    rt: Runtime, actor: Actor, *, username: str
) -> tuple[Member, list[TrainingRecord], bool]:
    """Return a member, their training records, and whether they hold the confidential grant."""
    authorize(rt, actor, Action.MANAGE_MEMBERS, parameters={"username": username})
    member = _target(rt, username)
    with rt.engine.begin() as conn:
        training = store.training_of(conn, member_id=member.id)
        confidential = store.has_grant(conn, member_id=member.id, kind=store.CONFIDENTIAL)
        record(conn, rt, actor, "view_member", parameters={"member": username})
    return member, training, confidential


def list_training(
    rt: Runtime, actor: Actor, *, expiring_within: timedelta | None = None
) -> list[tuple[str, TrainingRecord]]:
    """Return every active member's training records (user name, record), soonest expiry first;
    with `expiring_within`, only courses that lapse within that time (or have lapsed)."""
    authorize(rt, actor, Action.MANAGE_TRAINING)
    now = rt.clock.now()
    with rt.engine.begin() as conn:
        found = [
            (member.username, course)
            for member in store.list_members(conn)
            if member.active
            for course in store.training_of(conn, member_id=member.id)
            if expiring_within is None
            or (course.expires_on is not None and course.expires_on <= now + expiring_within)
        ]
        record(conn, rt, actor, "list_training", result_count=len(found))
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda pair: (pair[1].expires_on or far, pair[0]))


def own_training(rt: Runtime, actor: Actor) -> list[TrainingRecord]:
    """Return the acting member's own training records: every member may see their own."""
    if actor.member_id is None:
        raise AccessDeniedError("only a member logged on has training records")
    with rt.engine.begin() as conn:
        found = store.training_of(conn, member_id=actor.member_id)
        record(conn, rt, actor, "view_own_training", result_count=len(found))
    return found
