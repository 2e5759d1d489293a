"""Checking the audit trail for edits, deletions and re-ordering."""

from platewarden.domain import Actor
from platewarden.services.runtime import Runtime
from platewarden.store.audit import verify_chain


def verify_audit_chain(rt: Runtime, actor: Actor) -> list[str]:
    """Walk the hash chain and return every broken link (empty when intact)."""
    with rt.engine.connect() as conn:
        return verify_chain(conn)
