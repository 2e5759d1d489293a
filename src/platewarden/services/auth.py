"""Log-on, sessions and the acting member (426.6 a; FBI CJIS practice).

Five failed log-ons lock an account for the policy's minutes; a session ends when idle longer
than the policy's limit, or older than its absolute limit however active; administrators and
auditors (or everyone, by policy) give a TOTP code, and each code's time step is accepted once.
Every log-on, failure and log-off is audited.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

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


class LogonReason(StrEnum):
    """Why a log-on or a session was refused, for an interface to act on."""

    REFUSED = "refused"  # wrong name, password or code; locked; deactivated
    NOT_LOGGED_ON = "not_logged_on"  # no session, or one that ended
    SESSION_ENDED = "session_ended"  # idle too long, or the member was deactivated
    PASSWORD_RESET = "password_reset"  # the member must set their own password first
    FOREIGN_SESSION = "foreign_session"  # the token was issued to another client


class LogonError(ServiceError):
    """A log-on or session was refused; the message says why without helping an attacker."""

    def __init__(self, message: str, reason: LogonReason = LogonReason.REFUSED) -> None:
        super().__init__(message)
        self.reason = reason


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
    bound_to: str | None = None,
) -> Session:
    """Check a member's password (and second factor) and open a session.

    `bound_to` ties the session to its client (the console's OS user and installation): a
    token presented with another binding is refused.
    """
    now = rt.clock.now()
    guest = Actor(_shown_name(username), frozenset(), client_address)
    with rt.engine.begin() as conn:
        row = store.credentials(conn, username=username)
        refusal = _refusal(rt, conn, row, username, password=password, code=totp_code, now=now)
        if refusal is not None:
            record(conn, rt, guest, "logon", outcome="failed", reason=refusal.reason)
    if refusal is not None:
        raise LogonError(refusal.public)
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
            bound_to=bound_to,
        )
        member = store.get_member(conn, member_id=row["id"])
        assert member is not None
        actor = actor_for(rt, conn, member, client_address)
        record(conn, rt, actor, "logon")
    return Session(token, actor, member.must_change_password)


@dataclass(frozen=True)
class _Refusal:
    reason: str  # for the audit record
    public: str  # for the person at the log-on prompt: never tells which names exist


WRONG = "log-on refused: wrong user name, password or second factor code"


def _refusal(
    rt: Runtime,
    conn: Connection,
    row: RowMapping | None,
    username: str,
    *,
    password: str,
    code: str | None,
    now: datetime,
    second_factor: bool = True,
) -> _Refusal | None:
    """Return why a log-on fails, or None; count a failure toward the lockout.

    A name that is no member's gets the same answers, lockout and timing as a member's: its
    failures are counted apart, and a password is checked against a hash either way.
    """
    member = dict(row) if row is not None else None
    counts = member or dict(store.unknown_logon(conn, username=username) or {})
    locked_until = counts.get("locked_until")
    password_ok = _verify(member["password_hash"] if member else _dummy_hash(), password)
    if locked_until is not None and locked_until > now:
        return _Refusal(
            f"account locked until {locked_until:%H:%M} UTC",
            f"log-on refused: the account is locked until {locked_until:%H:%M} UTC",
        )
    if member is None or not password_ok:
        why = "unknown user name" if member is None else "wrong password"
        return _count_failure(
            rt, conn, member=member, username=username, counts=counts, why=why, now=now
        )
    if not member["active"]:
        return _Refusal("member is deactivated", "log-on refused: the account is deactivated")
    if second_factor and _needs_totp(rt, member):
        problem = _totp_refusal(rt, conn, member, code, now)
        if problem == NOT_ENROLLED:
            return _Refusal(problem, f"log-on refused: {problem}")
        if problem is not None:
            return _count_failure(
                rt, conn, member=member, username=username, counts=counts, why=problem, now=now
            )
    return None


def _count_failure(
    rt: Runtime,
    conn: Connection,
    *,
    member: dict[str, Any] | None,
    username: str,
    counts: dict[str, Any],
    why: str,
    now: datetime,
) -> _Refusal:
    access = rt.policy.access
    failures = (counts.get("failed_logons") or 0) + 1
    locked = (
        now + timedelta(minutes=access.lockout_minutes)
        if failures >= access.lockout_attempts
        else None
    )
    if member is not None:
        store.update_member(
            conn, member_id=member["id"], values={"failed_logons": failures, "locked_until": locked}
        )
    else:
        store.set_unknown_logon(
            conn, username=username, failed=failures, locked_until=locked, at=now
        )
    if locked is None:
        return _Refusal(why, WRONG)
    notice = f"; the account is now locked for {access.lockout_minutes} minutes"
    return _Refusal(why + notice, WRONG + notice)


@cache
def _dummy_hash() -> str:
    """Return a hash verified when the name is no member's, so that it costs the same time."""
    return HASHER.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _needs_totp(rt: Runtime, member: dict[str, Any]) -> bool:
    access = rt.policy.access
    return access.totp_everyone or bool(set(member["roles"]) & set(access.totp_roles))


NOT_ENROLLED = "second factor required but not enrolled: ask an administrator"


def _totp_refusal(
    rt: Runtime, conn: Connection, member: dict[str, Any], code: str | None, now: datetime
) -> str | None:
    if member["totp_secret"] is None:
        return NOT_ENROLLED
    if not code:
        return "second factor code missing"
    secret = rt.blobs.unseal(member["totp_secret"], f"totp:{member['id']}").decode()
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // TOTP_PERIOD_S
    accepted = next(
        (s for s in (step, step - 1) if totp.at(s * TOTP_PERIOD_S) == code.strip()), None
    )
    if accepted is None:
        return "wrong or expired second factor code"
    last = member["totp_last_step"]
    if last is not None and accepted <= last:
        return "second factor code already used"
    store.update_member(conn, member_id=member["id"], values={"totp_last_step": accepted})
    return None


def _shown_name(username: str) -> str:
    # An attacker chooses the name: keep the audit record's actor short and printable.
    name = "".join(ch if ch.isprintable() else "?" for ch in username[:64])
    return name or "(no name)"


def resume(
    rt: Runtime,
    token: str,
    *,
    client_address: str | None = None,
    bound_to: str | None = None,
    touch: bool = True,
) -> Actor:
    """Return the actor of an open session; end it when idle or older than the policy allows.

    `touch=False` checks the session without counting as the member's activity: an open alert
    stream polls it, and an unattended page must still lock when idle.
    """
    now = rt.clock.now()
    with rt.engine.begin() as conn:
        session = store.get_session(conn, token_hash=_hash(token))
        if session is None:
            raise LogonError("not logged on (or the session ended)", LogonReason.NOT_LOGGED_ON)
        foreign = session["bound_to"] is not None and not hmac.compare_digest(
            session["bound_to"], bound_to or ""
        )
        if foreign:
            record(
                conn,
                rt,
                Actor("?", frozenset(), client_address),
                "session_refused",
                outcome="denied",
                reason="the token was issued to another OS user, data folder or installation",
                parameters={"session": session["id"]},
            )
    if foreign:
        raise LogonError(
            "this session belongs to another user or installation", LogonReason.FOREIGN_SESSION
        )
    with rt.engine.begin() as conn:
        member = store.get_member(conn, member_id=session["member_id"])
        idle = timedelta(minutes=rt.policy.access.session_idle_minutes)
        longest = timedelta(hours=rt.policy.access.session_absolute_hours)
        if member is None or not member.active:
            store.end_sessions(conn, at=now, reason="deactivated", session_id=session["id"])
            ended = "the member is deactivated"
        elif now - session["created_at"] > longest:
            store.end_sessions(conn, at=now, reason="absolute", session_id=session["id"])
            ended = f"sessions last at most {rt.policy.access.session_absolute_hours} hours"
        elif now - session["last_seen_at"] > idle:
            store.end_sessions(conn, at=now, reason="idle", session_id=session["id"])
            ended = f"the session was idle more than {idle.seconds // 60} minutes"
        elif member.must_change_password:
            raise LogonError("your password was reset", LogonReason.PASSWORD_RESET)
        else:
            if touch:
                store.touch_session(conn, session_id=session["id"], at=now)
            return actor_for(rt, conn, member, client_address)
        record(
            conn,
            rt,
            Actor(member.username if member else "?", frozenset()),
            "session_end",
            reason=ended,
        )
    raise LogonError(f"session ended: {ended}; log on again", LogonReason.SESSION_ENDED)


def change_password(rt: Runtime, *, username: str, old_password: str, new_password: str) -> None:
    """Let a member replace their password (a reset one must be replaced before anything else)."""
    now = rt.clock.now()
    with rt.engine.begin() as conn:
        row = store.credentials(conn, username=username)
        refusal = _refusal(
            rt,
            conn,
            row,
            username,
            password=old_password,
            code=None,
            now=now,
            second_factor=False,
        )
        if refusal is not None:
            record(
                conn,
                rt,
                Actor(_shown_name(username), frozenset()),
                "change_password",
                outcome="failed",
                reason=refusal.reason,
            )
    if refusal is not None:
        raise LogonError(refusal.public)
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
