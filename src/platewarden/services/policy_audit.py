"""Changes of the policy file (426.6 d): the first start under a changed policy is audited."""

import hashlib
import json

from platewarden.domain import Actor
from platewarden.policy.access import Role
from platewarden.services.audit import record
from platewarden.services.runtime import Runtime
from platewarden.store.audit import last_parameters

POLICY_ACTOR = Actor("policy-file", frozenset({Role.SYSTEM}))
ACTION = "policy_in_force"


def record_policy_in_force(rt: Runtime) -> bool:
    """Audit the policy's content hash when it differs from the last one recorded; True if so."""
    content = json.dumps(rt.policy.model_dump(mode="json"), sort_keys=True)
    digest = hashlib.sha256(content.encode()).hexdigest()
    with rt.engine.begin() as conn:
        last = last_parameters(conn, action=ACTION)
        if last is not None and last.get("sha256") == digest:
            return False
        source = str(rt.settings.policy_file) if rt.settings.policy_file else "packaged default"
        record(
            conn,
            rt,
            POLICY_ACTOR,
            ACTION,
            reason="first start" if last is None else "the policy changed",
            parameters={
                "sha256": digest,
                "source": source,
                "retention_days": rt.policy.retention.days,
            },
        )
    return True
