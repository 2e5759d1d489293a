"""The one place that checks access and writes the audit record."""

from typing import Any

from sqlalchemy import Connection

from platewarden.domain import Actor
from platewarden.policy import Decision
from platewarden.policy.access import PERMISSIONS, Action, check_role
from platewarden.policy.purposes import check_purpose
from platewarden.services.errors import AccessDeniedError
from platewarden.services.runtime import Runtime
from platewarden.store.audit import AuditEntry, append_audit


def authorize(
    rt: Runtime,
    actor: Actor,
    action: Action,
    *,
    purpose: str | None = None,
    case_number: str | None = None,
    needs_purpose: bool = False,
    parameters: dict[str, Any] | None = None,
) -> Decision:
    """Check the actor's roles (and purpose and case when needed); audit and raise on denial."""
    decision = check_role(actor.roles, action)
    lapsed = [
        f"{role.value}: {why}" for role, why in actor.untrained if action in PERMISSIONS[role]
    ]
    if not decision.allowed and lapsed:
        decision = Decision.deny(f"{action} needs current training ({'; '.join(lapsed)})")
    if decision.allowed and needs_purpose:
        decision = check_purpose(rt.policy, purpose, case_number)
    if not decision.allowed:
        with rt.engine.begin() as conn:
            record(
                conn,
                rt,
                actor,
                action,
                outcome="denied",
                reason=decision.reason,
                purpose=purpose,
                case_number=case_number,
                parameters=parameters,
            )
        raise AccessDeniedError(
            f"{actor.name} may not {action.value.replace('_', ' ')}: {decision.reason}"
        )
    return decision


def record(
    conn: Connection,
    rt: Runtime,
    actor: Actor,
    action: Action | str,
    *,
    outcome: str = "allowed",
    reason: str = "",
    purpose: str | None = None,
    case_number: str | None = None,
    parameters: dict[str, Any] | None = None,
    result_count: int | None = None,
) -> int:
    """Append an audit record in the caller's transaction, so it commits with the work.

    What a caller typed (a refused case number, a user name) is recorded as given, but made
    printable and cut to its column: the record of a refusal must never fail to be written.
    """
    entry = AuditEntry(
        at=rt.clock.now(),
        actor=_fit(actor.name, 100) or "?",
        action=str(action),
        outcome=outcome,
        reason=_fit(reason, 4000) or "",
        purpose=_fit(purpose, 64),
        case_number=_fit(case_number, 64),
        parameters=parameters,
        result_count=result_count,
        client_address=_fit(actor.client_address, 64),
    )
    return append_audit(conn, entry=entry)


def _fit(value: str | None, length: int) -> str | None:
    if value is None:
        return None
    printable = "".join(ch if ch.isprintable() else "?" for ch in value[: length + 1])
    return printable if len(printable) <= length else printable[: length - 1] + "…"
