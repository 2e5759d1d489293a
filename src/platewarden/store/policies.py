"""The policy versions in force over time, and the installation's identity."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from platewarden.store.schema import installation, policy_versions


@dataclass(frozen=True)
class PolicyVersion:
    """One version of the policy: its text as applied, who applied it, when and why."""

    version: int
    sha256: str
    content: str
    source: str
    applied_at: datetime
    applied_by: str
    reason: str


@dataclass(frozen=True)
class Installation:
    """Who this installation is: its id and the hash of its service account's key."""

    installation_id: str
    service_key_sha256: str
    created_at: datetime


def latest_version_number(conn: Connection) -> int:
    """Return the number of the policy version in force, 0 when none was ever recorded."""
    return conn.execute(select(func.max(policy_versions.c.version))).scalar_one() or 0


def latest_policy(conn: Connection) -> PolicyVersion | None:
    """Return the policy version in force, or None on a new installation."""
    row = (
        conn.execute(select(policy_versions).order_by(policy_versions.c.version.desc()).limit(1))
        .mappings()
        .first()
    )
    return PolicyVersion(**row) if row else None


def list_policies(conn: Connection) -> list[PolicyVersion]:
    """Return every policy version, the newest first."""
    rows = conn.execute(select(policy_versions).order_by(policy_versions.c.version.desc()))
    return [PolicyVersion(**row) for row in rows.mappings()]


def add_policy(conn: Connection, *, version: PolicyVersion) -> None:
    """Record a new policy version (its number must be the next one: a race fails here)."""
    conn.execute(insert(policy_versions).values(**version.__dict__))


def get_installation(conn: Connection) -> Installation | None:
    """Return the installation's identity, or None before the first start."""
    row = conn.execute(select(installation).where(installation.c.id == 1)).mappings().first()
    return (
        Installation(row["installation_id"], row["service_key_sha256"], row["created_at"])
        if row
        else None
    )


def add_installation(conn: Connection, *, identity: Installation) -> None:
    """Record the installation's identity (once: a second start that races this one fails)."""
    conn.execute(insert(installation).values(id=1, **identity.__dict__))
