"""The audit log: append-only and hash-chained, so that an edit, deletion or re-ordering shows."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from platewarden.store.schema import audit_log

GENESIS = "0" * 64
# Any fixed number: PostgreSQL transactions that append take this advisory lock in turn, so the
# chain has one order even with several writer processes.
_CHAIN_LOCK = 4_611_686_018_427_387_904 + 426


@dataclass(frozen=True)
class AuditEntry:
    """One audit record as written."""

    at: datetime
    actor: str
    action: str
    outcome: str
    reason: str
    purpose: str | None = None
    case_number: str | None = None
    parameters: dict[str, Any] | None = None
    result_count: int | None = None
    client_address: str | None = None


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """Return the chain hash of an entry that follows prev_hash."""
    body = {
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "outcome": entry.outcome,
        "reason": entry.reason,
        "purpose": entry.purpose,
        "case_number": entry.case_number,
        "parameters": entry.parameters or {},
        "result_count": entry.result_count,
        "client_address": entry.client_address,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def append_audit(conn: Connection, *, entry: AuditEntry) -> int:
    """Append an entry to the chain and return its id."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    last = conn.scalar(select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1))
    prev = last or GENESIS
    # Microseconds are what both databases keep; the hash must be computed on what is stored.
    values = {
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "outcome": entry.outcome,
        "reason": entry.reason,
        "purpose": entry.purpose,
        "case_number": entry.case_number,
        "parameters": entry.parameters or {},
        "result_count": entry.result_count,
        "client_address": entry.client_address,
        "prev_hash": prev,
        "hash": entry_hash(prev, entry),
    }
    return conn.execute(insert(audit_log).values(values).returning(audit_log.c.id)).scalar_one()


def audit_entries(conn: Connection, *, action: str | None = None) -> list[tuple[int, AuditEntry]]:
    """Return audit entries (id, entry) in chain order, optionally of one action."""
    query = select(audit_log).order_by(audit_log.c.id)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    return [(row["id"], _entry(row)) for row in conn.execute(query).mappings()]


def verify_chain(conn: Connection) -> list[str]:
    """Walk the chain and return a description of every broken link (empty when intact)."""
    problems: list[str] = []
    prev = GENESIS
    for row in conn.execute(select(audit_log).order_by(audit_log.c.id)).mappings():
        if row["prev_hash"] != prev:
            problems.append(f"record {row['id']}: does not follow the record before it")
        if entry_hash(row["prev_hash"], _entry(row)) != row["hash"]:
            problems.append(f"record {row['id']}: its content was changed")
        prev = row["hash"]
    return problems


def chain_head(conn: Connection, before: datetime | None = None) -> tuple[int, str] | None:
    """Return the id and hash of the newest record (written before a time, if given), or None."""
    query = select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    if before is not None:
        query = query.where(audit_log.c.at < before)
    row = conn.execute(query).first()
    return (row.id, row.hash) if row else None


def anchor_problems(conn: Connection, anchor: tuple[int, str]) -> list[str]:
    """Check a head kept outside the system: the record must still be there with that hash.

    The chain alone cannot show that its newest records were deleted, nor a trail rewritten with
    every hash recomputed; a head written down earlier can.
    """
    anchor_id, anchor_hash = anchor
    kept = conn.scalar(select(audit_log.c.hash).where(audit_log.c.id == anchor_id))
    if kept is None:
        return [f"record {anchor_id}, named by the anchor, is gone: records were deleted"]
    if kept != anchor_hash:
        return [
            f"record {anchor_id} does not match the anchor: "
            "records up to it were deleted or rewritten"
        ]
    return []


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        outcome=row["outcome"],
        reason=row["reason"],
        purpose=row["purpose"],
        case_number=row["case_number"],
        parameters=row["parameters"],
        result_count=row["result_count"],
        client_address=row["client_address"],
    )


def last_parameters(conn: Connection, *, action: str) -> dict[str, Any] | None:
    """Return the parameters of the newest audit record of an action, if there is one."""
    query = (
        select(audit_log.c.parameters)
        .where(audit_log.c.action == action)
        .order_by(audit_log.c.id.desc())
        .limit(1)
    )
    return conn.scalar(query)
