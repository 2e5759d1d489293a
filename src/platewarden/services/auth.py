"""Log-on, sessions and the acting member (426.6 a; FBI CJIS practice).

Five failed log-ons lock an account for the policy's minutes; a session idle longer than the
policy's limit ends; administrators and auditors (or everyone, by policy) give a TOTP code,
and each code's time step is accepted once. Every log-on, failure and log-off is audited.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, RowMapping

from platewarden.domain import Actor, Member
from platewarden.policy.passwords import check_password
from platewarden.policy.training import Completion, trained_roles
from platewarden.services.audit import record
from platewarden.services.errors import InvalidInputError, Problem, ServiceError
from platewarden.services.members import HASHER
from platewarden.services.runtime import Runtime
from platewarden.store import members as store

TOTP_PERIOD_S = 30


class LogonError(ServiceError):
    """A log-on or session was refused; the message says why without helping an attacker."""


@dataclass(frozen=True)
class Session:
    """An open session: the token the client keeps, and who it acts as."""

    token: str
    actor: Actor
    must_change_password: bool


def actor_for(rt: Runtime, conn: Connection, member: Member, client_address: str | None) -> Actor:
    """Build the acting member: roles in force are those with current training."""
    months = rt.policy.training.valid_months
    completions = [
        Completion(
            t.course,
            t.completed_on,
            t.expires_on or t.completed_on + timedelta(days=round(months * 30.44)),
        )
        for t in store.training_of(conn, member_id=member.id)
    ]
    trained, missing = trained_roles(rt.policy, member.roles, completions, rt.clock.now())
    return Actor(
        name=member.username,
        roles=trained,
        client_address=client_address,
        confidential_access=store.has_grant(conn, member_id=member.id, kind=store.CONFIDENTIAL),
        member_id=member.id,
        untrained=tuple(sorted(missing.items())),
    )


def log_on(
    rt: Runtime,
    *,
    username: str,
    password: str,
    totp_code: str | None = None,
    client_address: str | None = None,
) -> Session:
    """Check a member's password (and second factor) and open a session."""
    now = rt.clock.now()
    guest = Actor(username or "(no name)", frozenset(), client_address)
    with rt.engine.begin() as conn:
        row = store.credentials(conn, username=username)
        problem = _refusal(rt, conn, row, password=password, code=totp_code, now=now)
        if problem is not None:
            record(conn, rt, guest, "logon", outcome="failed", reason=problem)
    if problem is not None:
        raise LogonError(_public(problem))
    assert row is not None
    token = secrets.token_urlsafe(32)
    with rt.engine.begin() as conn:
        store.update_member(
            conn, member_id=row["id"], values={"failed_logons": 0, "locked_until": None}
        )
        store.add_session(
            conn,
            token_hash=_hash(token),
            member_id=row["id"],
            at=now,
            client_address=client_address,
        )
        member = store.get_member(conn, member_id=row["id"])
        assert member is not None
        actor = actor_for(rt, conn, member, client_address)
        record(conn, rt, actor, "logon")
    return Session(token, actor, member.must_change_password)


def _refusal(
    rt: Runtime,
    conn: Connection,
    row: RowMapping | None,
    *,
    password: str,
    code: str | None,
    now: datetime,
    second_factor: bool = True,
) -> str | None:
    """Return why a log-on fails (for the audit record), or None; count a failed password."""
    if row is None:
        HASHER.hash(password)  # spend the same time as for a real member
        return "unknown user name"
    member = dict(row)
    if not member["active"]:
        return "member is deactivated"
    if member["locked_until"] is not None and member["locked_until"] > now:
        return f"account locked until {member['locked_until']:%H:%M} UTC"
    try:
        HASHER.verify(member["password_hash"], password)
    except (VerificationError, InvalidHashError):
        failures = member["failed_logons"] + 1
        access = rt.policy.access
        locked = (
            now + timedelta(minutes=access.lockout_minutes)
            if failures >= access.lockout_attempts
            else None
        )
        store.update_member(
            conn, member_id=member["id"], values={"failed_logons": failures, "locked_until": locked}
        )
        return "wrong password" + (
            f"; account locked for {access.lockout_minutes} minutes" if locked else ""
        )
    if second_factor and _needs_totp(rt, member):
        return _totp_refusal(rt, conn, member, code, now)
    return None


def _needs_totp(rt: Runtime, member: dict[str, object]) -> bool:
    access = rt.policy.access
    return access.totp_everyone or bool(set(member["roles"]) & set(access.totp_roles))  # type: ignore[arg-type]


def _totp_refusal(
    rt: Runtime, conn: Connection, member: dict[str, object], code: str | None, now: datetime
) -> str | None:
    if member["totp_secret"] is None:
        return "second factor required but not enrolled: ask an administrator"
    if not code:
        return "second factor code required"
    secret = rt.blobs.unseal(member["totp_secret"], f"totp:{member['id']}").decode()  # type: ignore[arg-type]
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // TOTP_PERIOD_S
    accepted = next(
        (s for s in (step, step - 1) if totp.at(s * TOTP_PERIOD_S) == code.strip()), None
    )
    if accepted is None:
        return "wrong or expired second factor code"
    last = member["totp_last_step"]
    if last is not None and accepted <= last:  # type: ignore[operator]
        return "second factor code already used"
    store.update_member(conn, member_id=member["id"], values={"totp_last_step": accepted})  # type: ignore[arg-type]
    return None


def _public(reason: str) -> str:
    # Say enough for the member to act, never whether a user name exists.
    if reason == "unknown user name" or reason.startswith("wrong password"):
        return "log-on refused: wrong user name or password"
    return f"log-on refused: {reason}"


def resume(rt: Runtime, token: str, *, client_address: str | None = None) -> Actor:
    """Return the actor of an open session; end it when idle past the policy's limit."""
    now = rt.clock.now()
    with rt.engine.begin() as conn:
        session = store.get_session(conn, token_hash=_hash(token))
        if session is None:
            raise LogonError("not logged on (or the session ended): run `platewarden login`")
        member = store.get_member(conn, member_id=session["member_id"])
        idle = timedelta(minutes=rt.policy.access.session_idle_minutes)
        if member is None or not member.active:
            store.end_sessions(conn, at=now, reason="deactivated", session_id=session["id"])
            ended = "the member is deactivated"
        elif now - session["last_seen_at"] > idle:
            store.end_sessions(conn, at=now, reason="idle", session_id=session["id"])
            ended = f"the session was idle more than {idle.seconds // 60} minutes"
        elif member.must_change_password:
            raise LogonError("your password was reset: set your own with `platewarden passwd`")
        else:
            store.touch_session(conn, session_id=session["id"], at=now)
            return actor_for(rt, conn, member, client_address)
        record(
            conn,
            rt,
            Actor(member.username if member else "?", frozenset()),
            "session_end",
            reason=ended,
        )
    raise LogonError(f"session ended: {ended}; log on again")


def change_password(rt: Runtime, *, username: str, old_password: str, new_password: str) -> None:
    """Let a member replace their password (a reset one must be replaced before anything else)."""
    now = rt.clock.now()
    with rt.engine.begin() as conn:
        row = store.credentials(conn, username=username)
        problem = _refusal(
            rt, conn, row, password=old_password, code=None, now=now, second_factor=False
        )
        if problem is not None:
            record(
                conn,
                rt,
                Actor(username, frozenset()),
                "change_password",
                outcome="failed",
                reason=problem,
            )
    if problem is not None:
        raise LogonError(_public(problem))
    assert row is not None
    decision = check_password(rt.policy, new_password, username=username)
    if not decision.allowed or new_password == old_password:
        reason = decision.reason if not decision.allowed else "the new password must differ"
        raise InvalidInputError("password not changed:", [Problem("new password", reason)])
    with rt.engine.begin() as conn:
        store.update_member(
            conn,
            member_id=row["id"],
            values={
                "password_hash": HASHER.hash(new_password),
                "password_changed_at": now,
                "must_change_password": False,
                "failed_logons": 0,
            },
        )
        record(conn, rt, Actor(username, frozenset()), "change_password")


def log_off(rt: Runtime, token: str) -> None:
    """End a session."""
    with rt.engine.begin() as conn:
        session = store.get_session(conn, token_hash=_hash(token))
        if session is None:
            return
        member = store.get_member(conn, member_id=session["member_id"])
        store.end_sessions(conn, at=rt.clock.now(), reason="log-off", session_id=session["id"])
        record(conn, rt, Actor(member.username if member else "?", frozenset()), "logoff")


def has_members(rt: Runtime) -> bool:
    """True once the first administrator exists (from then on every command needs a log-on)."""
    with rt.engine.connect() as conn:
        return store.count_members(conn) > 0


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
