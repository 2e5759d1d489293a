"""The policy in force (426.6 d): shown to members, changed only by an administrator.

A new version is checked as strictly as the first, compared with the one in force, recorded with
its hash and the member in the same transaction as its audit record, and takes effect for every
process: a command's next start, and a running server or scheduler at its next check.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from platewarden.domain import Actor
from platewarden.policy import Policy, PolicyError
from platewarden.policy.access import Action
from platewarden.policy.model import parse_policy
from platewarden.services.audit import authorize, record
from platewarden.services.errors import AccessDeniedError, InvalidInputError, Problem
from platewarden.services.installation import POLICY_ACTION, policy_audit_entry, text_sha256
from platewarden.services.members import FIRST_RUN
from platewarden.services.runtime import Runtime
from platewarden.store.audit import append_audit
from platewarden.store.members import count_members
from platewarden.store.policies import PolicyVersion, add_policy, latest_policy, list_policies


@dataclass(frozen=True)
class PolicyChange:
    """One setting that differs between the policy in force and a proposed one."""

    setting: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.setting}: {_shown(self.before)} -> {_shown(self.after)}"


@dataclass(frozen=True)
class PolicyPreview:
    """What applying a policy text would change, before it is applied."""

    in_force: int
    sha256: str
    changes: tuple[PolicyChange, ...]


def current_policy(rt: Runtime, actor: Actor) -> PolicyVersion:
    """Return the policy version in force, with its text."""
    authorize(rt, actor, Action.VIEW_POLICY)
    with rt.engine.begin() as conn:
        current = latest_policy(conn)
        assert current is not None  # open_runtime records the first version
        record(conn, rt, actor, Action.VIEW_POLICY, parameters={"version": current.version})
    return current


def policy_history(rt: Runtime, actor: Actor) -> list[PolicyVersion]:
    """Return every version of the policy, the newest first."""
    authorize(rt, actor, Action.VIEW_POLICY)
    with rt.engine.begin() as conn:
        versions = list_policies(conn)
        record(conn, rt, actor, Action.VIEW_POLICY, reason="history", result_count=len(versions))
    return versions


def preview_policy(rt: Runtime, actor: Actor, text: str, *, source: str) -> PolicyPreview:
    """Check a policy text and list how it differs from the one in force; change nothing."""
    authorize(rt, actor, Action.MANAGE_POLICY, parameters={"source": source[-200:]})
    with rt.engine.connect() as conn:
        current = latest_policy(conn)
    assert current is not None
    proposed = _checked(text, source)
    in_force = parse_policy(current.content, f"version {current.version} in the database")
    return PolicyPreview(current.version, text_sha256(text), _differences(in_force, proposed))


def apply_policy(
    rt: Runtime, actor: Actor, text: str, *, source: str, reason: str, expected_version: int
) -> PolicyVersion:
    """Put a new policy version in force; `expected_version` is the one the member reviewed."""
    authorize(rt, actor, Action.MANAGE_POLICY, parameters={"source": source[-200:]})
    if not reason.strip():
        raise InvalidInputError("policy not applied:", [Problem("reason", "say why it changes")])
    proposed = _checked(text, source)
    with rt.engine.begin() as conn:
        current = latest_policy(conn)
        assert current is not None
        if current.version != expected_version:
            raise InvalidInputError(
                "policy not applied:",
                [Problem("version", f"version {current.version} came into force meanwhile")],
            )
        in_force = parse_policy(current.content, f"version {current.version} in the database")
        changes = _differences(in_force, proposed)
        if not changes:
            raise InvalidInputError(
                "policy not applied:", [Problem(source, "it changes nothing in force")]
            )
        version = _add_version(rt, conn, current, text, source, by=actor.name, why=reason.strip())
        record(
            conn,
            rt,
            actor,
            POLICY_ACTION,
            reason=version.reason,
            parameters={
                "version": version.version,
                "sha256": version.sha256,
                "source": version.source,
                "retention_days": proposed.retention.days,
                "changes": [str(change)[:300] for change in changes],
            },
        )
    rt.policy, rt.policy_version = proposed, version.version
    return version


def apply_first_run_policy(rt: Runtime, text: str, *, source: str) -> PolicyVersion:
    """Put the policy named at `first-run` in force; only while the system has no member."""
    proposed = _checked(text, source)
    with rt.engine.begin() as conn:
        if count_members(conn):
            raise AccessDeniedError(
                "the first administrator exists already: an administrator applies a policy "
                "with `platewarden policy apply`"
            )
        current = latest_policy(conn)
        assert current is not None
        version = _add_version(
            rt, conn, current, text, source, by=FIRST_RUN.name, why="named at first-run"
        )
        append_audit(conn, entry=policy_audit_entry(version, proposed, FIRST_RUN.name))
    rt.policy, rt.policy_version = proposed, version.version
    return version


def _add_version(
    rt: Runtime,
    conn: Connection,
    current: PolicyVersion,
    text: str,
    source: str,
    *,
    by: str,
    why: str,
) -> PolicyVersion:
    """Record the version after `current` (a process that raced this one makes it fail)."""
    version = PolicyVersion(
        current.version + 1, text_sha256(text), text, source[-200:], rt.clock.now(), by, why
    )
    add_policy(conn, version=version)
    return version


def _checked(text: str, source: str) -> Policy:
    try:
        return parse_policy(text, source)
    except PolicyError as exc:
        raise InvalidInputError("policy not applied:", [Problem(source, str(exc))]) from None


def _differences(before: Policy, after: Policy) -> tuple[PolicyChange, ...]:
    old, new = _flatten(before.model_dump(mode="json")), _flatten(after.model_dump(mode="json"))
    return tuple(
        PolicyChange(key, old.get(key), new.get(key))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    )


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        # Purposes: keyed by their code, so a reordering is no change and an edit names the code.
        return {f"{prefix}.{v.get('code', i)}": v for i, v in enumerate(value)}
    return {prefix: value}


def _shown(value: Any) -> str:
    return "(none)" if value is None else repr(value)
