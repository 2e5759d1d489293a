"""Members, their training, grants and log-on sessions."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, select, update

from platewarden.domain import Member, TrainingRecord
from platewarden.policy.access import Role
from platewarden.store.schema import grants, members, sessions, training_records, unknown_logons

CONFIDENTIAL = "confidential_data"


def count_members(conn: Connection) -> int:
    """Count members, active or not."""
    return conn.scalar(select(func.count()).select_from(members)) or 0


def add_member(conn: Connection, *, values: dict[str, Any]) -> int:
    """Insert a member; return the id."""
    row = {"failed_logons": 0, "must_change_password": False, "active": True, **values}
    row["roles"] = sorted(r.value for r in row["roles"])
    return conn.execute(insert(members).values(row).returning(members.c.id)).scalar_one()


def update_member(conn: Connection, *, member_id: int, values: dict[str, Any]) -> None:
    """Change a member's columns."""
    if "roles" in values:
        values = {**values, "roles": sorted(r.value for r in values["roles"])}
    conn.execute(update(members).where(members.c.id == member_id).values(values))


def get_member(
    conn: Connection, *, username: str | None = None, member_id: int | None = None
) -> Member | None:
    """Return a member by user name or id."""
    row = _row(conn, username=username, member_id=member_id)
    return _member(row) if row else None


def credentials(conn: Connection, *, username: str) -> RowMapping | None:
    """Return a member's row with the password hash and second-factor state, for log-on only."""
    return _row(conn, username=username)


def list_members(conn: Connection) -> list[Member]:
    """Return every member, active or not, by user name."""
    query = select(members).order_by(members.c.username)
    return [_member(row) for row in conn.execute(query).mappings()]


def add_training(conn: Connection, *, values: dict[str, Any]) -> int:
    """Record a completed course."""
    query = insert(training_records).values(values).returning(training_records.c.id)
    return conn.execute(query).scalar_one()


def training_of(conn: Connection, *, member_id: int) -> list[TrainingRecord]:
    """Return a member's training records, newest first."""
    query = (
        select(training_records)
        .where(training_records.c.member_id == member_id)
        .order_by(training_records.c.completed_on.desc())
    )
    return [
        TrainingRecord(
            id=r["id"],
            member_id=r["member_id"],
            course=r["course"],
            completed_on=r["completed_on"],
            expires_on=r["expires_on"],
            recorded_by=r["recorded_by"],
        )
        for r in conn.execute(query).mappings()
    ]


def add_grant(
    conn: Connection, *, member_id: int, kind: str, reason: str, by: str, at: datetime
) -> int:
    """Record a grant (e.g. access to confidential hot-list data)."""
    values = {
        "member_id": member_id,
        "kind": kind,
        "reason": reason,
        "granted_by": by,
        "granted_at": at,
    }
    return conn.execute(insert(grants).values(values).returning(grants.c.id)).scalar_one()


def revoke_grants(conn: Connection, *, member_id: int, kind: str, by: str, at: datetime) -> int:
    """Revoke a member's grants of a kind; return how many were in force."""
    result = conn.execute(
        update(grants)
        .where(
            grants.c.member_id == member_id, grants.c.kind == kind, grants.c.revoked_at.is_(None)
        )
        .values(revoked_at=at, revoked_by=by)
    )
    return result.rowcount


def has_grant(conn: Connection, *, member_id: int, kind: str) -> bool:
    """True when a grant of this kind is in force for the member."""
    query = select(grants.c.id).where(
        grants.c.member_id == member_id, grants.c.kind == kind, grants.c.revoked_at.is_(None)
    )
    return conn.execute(query.limit(1)).first() is not None


def add_session(
    conn: Connection,
    *,
    token_hash: str,
    member_id: int,
    at: datetime,
    client_address: str | None,
    bound_to: str | None = None,
) -> None:
    """Open a log-on session, bound to the client that asked for it when one is given."""
    values = {
        "token_hash": token_hash,
        "member_id": member_id,
        "created_at": at,
        "last_seen_at": at,
        "client_address": client_address,
        "bound_to": bound_to,
    }
    conn.execute(insert(sessions).values(values))


def get_session(conn: Connection, *, token_hash: str) -> RowMapping | None:
    """Return an open session by its token's hash."""
    query = select(sessions).where(
        sessions.c.token_hash == token_hash, sessions.c.ended_at.is_(None)
    )
    return conn.execute(query).mappings().first()


def touch_session(conn: Connection, *, session_id: int, at: datetime) -> None:
    """Note activity in a session."""
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(last_seen_at=at))


def end_sessions(
    conn: Connection,
    *,
    at: datetime,
    reason: str,
    session_id: int | None = None,
    member_id: int | None = None,
) -> None:
    """End one session, or every open session of a member."""
    query = update(sessions).where(sessions.c.ended_at.is_(None))
    if session_id is not None:
        query = query.where(sessions.c.id == session_id)
    if member_id is not None:
        query = query.where(sessions.c.member_id == member_id)
    conn.execute(query.values(ended_at=at, end_reason=reason))


def _row(
    conn: Connection, *, username: str | None = None, member_id: int | None = None
) -> RowMapping | None:
    query = select(members)
    if username is not None:
        query = query.where(members.c.username == username)
    if member_id is not None:
        query = query.where(members.c.id == member_id)
    return conn.execute(query).mappings().first()


def _member(row: RowMapping) -> Member:
    return Member(
        id=row["id"],
        username=row["username"],
        full_name=row["full_name"],
        badge_number=row["badge_number"],
        roles=frozenset(Role(r) for r in row["roles"]),
        supervisor_id=row["supervisor_id"],
        active=row["active"],
        totp_enrolled=row["totp_secret"] is not None,
        must_change_password=row["must_change_password"],
        locked_until=row["locked_until"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        deactivated_at=row["deactivated_at"],
    )


def unknown_logon(conn: Connection, *, username: str) -> RowMapping | None:
    """Return the failed log-on count of a name that is no member's."""
    query = select(unknown_logons).where(unknown_logons.c.username == username[:100])
    return conn.execute(query).mappings().first()


def set_unknown_logon(
    conn: Connection, *, username: str, failed: int, locked_until: datetime | None, at: datetime
) -> None:
    """Record the failed log-on count and lock of a name that is no member's."""
    values = {"failed_logons": failed, "locked_until": locked_until, "last_failed_at": at}
    key = username[:100]
    changed = conn.execute(
        update(unknown_logons).where(unknown_logons.c.username == key).values(values)
    ).rowcount
    if not changed:
        conn.execute(insert(unknown_logons).values(username=key, **values))
