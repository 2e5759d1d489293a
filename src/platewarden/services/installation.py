"""The installation's own state: the policy in force and its service account's key.

The policy belongs to the installation, not to whoever runs a process. The first start records
the settings' policy file (or the packaged default) as version 1; from then on the database's
newest version is in force for every process, and a policy file in a caller's environment is
ignored. The same first start creates the service account's key (DATA_DIR/service.key, owner
only): the scheduled jobs act as the system only in a process that holds it.
"""

import hashlib
import hmac
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from platewarden.policy import Policy, PolicyError
from platewarden.policy.model import parse_policy, read_policy_text
from platewarden.settings import Settings
from platewarden.store.audit import AuditEntry, append_audit
from platewarden.store.files import make_private_dir, write_private
from platewarden.store.policies import (
    Installation,
    PolicyVersion,
    add_installation,
    add_policy,
    get_installation,
    latest_policy,
)

POLICY_ACTION = "policy_in_force"
FIRST_START_ACTOR = "installation"


class ServiceKeyError(PolicyError):
    """The service account's key is missing or does not belong to this installation."""


@dataclass(frozen=True)
class PolicyInForce:
    """The policy this process enforces, its version, and notes for the person at the console."""

    policy: Policy
    version: int
    installation_id: str
    notices: tuple[str, ...] = ()


def policy_in_force(engine: Engine, settings: Settings, now: datetime) -> PolicyInForce:
    """Return the database's policy in force, recording the first one on a new installation."""
    with engine.connect() as conn:
        current = latest_policy(conn)
        identity = get_installation(conn)
    notices: tuple[str, ...] = ()
    if current is None or identity is None:
        current, identity = _first_start(engine, settings, now)
    elif settings.policy_file is not None:
        notices = (
            f"the policy file {settings.policy_file} in your settings is ignored: the policy in "
            f"force is version {current.version}, kept in the database (`platewarden policy "
            "show`); an administrator changes it with `platewarden policy apply FILE`",
        )
    policy = parse_policy(current.content, f"version {current.version} in the database")
    return PolicyInForce(policy, current.version, identity.installation_id, notices)


def text_sha256(text: str) -> str:
    """Return the SHA-256 of a policy's text, as `sha256sum` gives it for the file."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def service_key_file(settings: Settings) -> Path:
    """Return where the service account's key is kept."""
    return settings.data_dir / "service.key"


def check_service_key(engine: Engine, settings: Settings) -> None:
    """Refuse unless this process holds the installation's service key."""
    path = service_key_file(settings)
    try:
        with path.open("rb") as file:
            key = file.read(256).strip()
    except OSError as exc:
        raise ServiceKeyError(
            f"the scheduled jobs run only as the installation's service account, which holds "
            f"{path} ({exc.strerror or exc}); a member runs a job with `platewarden jobs run NAME`"
        ) from None
    with engine.connect() as conn:
        identity = get_installation(conn)
    digest = hashlib.sha256(key).hexdigest()
    if identity is None or not hmac.compare_digest(digest, identity.service_key_sha256):
        raise ServiceKeyError(f"{path} is not this installation's service key")


def _first_start(
    engine: Engine, settings: Settings, now: datetime
) -> tuple[PolicyVersion, Installation]:
    source = str(settings.policy_file) if settings.policy_file else "packaged default"
    text = read_policy_text(settings.policy_file)
    policy = parse_policy(text, source)
    key = secrets.token_urlsafe(32)
    identity = Installation(uuid.uuid4().hex, hashlib.sha256(key.encode()).hexdigest(), now)
    version = PolicyVersion(
        1, text_sha256(text), text, source[-200:], now, FIRST_START_ACTOR, "first start"
    )
    pending = _write_pending_key(settings, key)
    try:
        with engine.begin() as conn:
            add_installation(conn, identity=identity)
            add_policy(conn, version=version)
            append_audit(conn, entry=policy_audit_entry(version, policy, FIRST_START_ACTOR))
    except IntegrityError:  # another process started first: use what it recorded
        pending.unlink(missing_ok=True)
        with engine.connect() as conn:
            current, recorded = latest_policy(conn), get_installation(conn)
        assert current is not None and recorded is not None
        return current, recorded
    pending.replace(service_key_file(settings))
    return version, identity


def policy_audit_entry(version: PolicyVersion, policy: Policy, actor: str) -> AuditEntry:
    """Return the audit record of a policy version coming into force."""
    return AuditEntry(
        at=version.applied_at,
        actor=actor,
        action=POLICY_ACTION,
        outcome="allowed",
        reason=version.reason,
        parameters={
            "version": version.version,
            "sha256": version.sha256,
            "source": version.source,
            "retention_days": policy.retention.days,
        },
    )


def _write_pending_key(settings: Settings, key: str) -> Path:
    pending = settings.data_dir / f".service.key.{os.getpid()}"
    try:
        make_private_dir(settings.data_dir)
        pending.unlink(missing_ok=True)
        write_private(pending, (key + "\n").encode(), exclusive=True)
    except OSError as exc:
        raise ServiceKeyError(
            f"cannot write the service key in {settings.data_dir}: {exc.strerror or exc}"
        ) from None
    return pending
