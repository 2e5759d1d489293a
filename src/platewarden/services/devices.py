"""Devices: cameras and other ALPR systems that push reads to the API with a token.

A token is shown once and kept hashed. It is scoped to ingest for one camera or one source and
grants nothing else: a device is no member and cannot search, read or see alerts. Every use is
audited as the device.
"""

import hashlib
import secrets
from dataclasses import dataclass, replace
from typing import Any

from platewarden.domain import Actor, ReadSource
from platewarden.policy.access import Action, Role
from platewarden.quoting import CONTROL, quote
from platewarden.services.audit import authorize, record
from platewarden.services.auth import LogonError, LogonReason
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem
from platewarden.services.importing import read_from_row
from platewarden.services.ingest import IngestResult, ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store import devices as store
from platewarden.store.cameras import camera_ids_by_name
from platewarden.store.devices import Device

TOKEN_PREFIX = "pwd_"  # tells a device token from a member's session token at a glance
MAX_BATCH = 1000


@dataclass(frozen=True)
class DeviceActor:
    """A device acting with its token: its actor, and the one camera or source it serves."""

    actor: Actor
    device: Device


def add_device(
    rt: Runtime, actor: Actor, *, name: str, camera: str | None = None, source: str | None = None
) -> tuple[Device, str]:
    """Register a device for one camera or one source; return it and its token (shown once)."""
    authorize(rt, actor, Action.MANAGE_CAMERAS, parameters={"device": name[:100]})
    problems = []
    if not name.strip() or len(name) > 100 or CONTROL.search(name):
        problems.append(Problem("name", f"{quote(name)} must be 1–100 printable characters"))
    if (camera is None) == (source is None):
        problems.append(Problem("scope", "give a camera or a source, not both"))
    if source is not None and (not source.strip() or len(source) > 100 or CONTROL.search(source)):
        problems.append(Problem("source", f"{quote(source)} must be 1–100 printable characters"))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with rt.engine.begin() as conn:
        camera_id = camera_ids_by_name(conn).get(camera) if camera is not None else None
        if camera is not None and camera_id is None:
            problems.append(Problem("camera", f"there is no camera {quote(camera)}"))
        if store.device_by_name(conn, name=name) is not None:
            problems.append(Problem("name", f"a device {quote(name)} exists"))
        if problems:
            raise InvalidInputError("device not added:", problems)
        device_id = store.add_device(
            conn,
            name=name,
            camera_id=camera_id,
            source_name=source,
            token_hash=_hash(token),
            at=rt.clock.now(),
            by=actor.name,
        )
        record(
            conn,
            rt,
            actor,
            "add_device",
            parameters={"device": device_id, "camera": camera, "source": source},
        )
        added = store.device_by_name(conn, name=name)
    assert added is not None
    return added, token


def list_devices(rt: Runtime, actor: Actor) -> list[Device]:
    """Return every device, revoked ones too."""
    authorize(rt, actor, Action.MANAGE_CAMERAS)
    with rt.engine.connect() as conn:
        return store.list_devices(conn)


def revoke_device(rt: Runtime, actor: Actor, *, name: str) -> Device:
    """Revoke a device's token: from now on it is refused."""
    authorize(rt, actor, Action.MANAGE_CAMERAS, parameters={"device": name[:100]})
    with rt.engine.begin() as conn:
        device = store.device_by_name(conn, name=name)
        if device is None:
            raise NotFoundError(f"there is no device {quote(name)}")
        store.revoke(conn, device_id=device.id, at=rt.clock.now(), by=actor.name)
        record(conn, rt, actor, "revoke_device", parameters={"device": device.id})
        revoked = store.device_by_name(conn, name=name)
    assert revoked is not None
    return revoked


def device_actor(rt: Runtime, token: str, *, client_address: str | None = None) -> DeviceActor:
    """Return the device a token belongs to, acting with the device role; refuse any other."""
    with rt.engine.begin() as conn:
        device = store.device_by_token(conn, token_hash=_hash(token))
        refusal = (
            "not a device token"
            if device is None
            else "the device's token was revoked"
            if device.revoked_at is not None
            else None
        )
        if device is not None and refusal is None:
            store.mark_used(conn, device_id=device.id, at=rt.clock.now())
        who = Actor(f"device:{device.name}" if device else "device:?", frozenset(), client_address)
        if refusal is not None:
            record(conn, rt, who, "device_logon", outcome="failed", reason=refusal)
    if device is None or refusal is not None:
        raise LogonError(f"refused: {refusal}", LogonReason.REFUSED)
    actor = Actor(f"device:{device.name}", frozenset({Role.DEVICE}), client_address)
    return DeviceActor(actor, device)


def push_reads(rt: Runtime, device: DeviceActor, rows: list[Any]) -> IngestResult:
    """Ingest reads a device sent (our JSON fields), all or nothing, each stored once.

    A camera's device pushes reads of its own camera only; a source's device pushes the reads
    of its system, kept under that source's name.
    """
    authorize(rt, device.actor, Action.INGEST, parameters={"reads": len(rows)})
    if not 1 <= len(rows) <= MAX_BATCH:
        raise InvalidInputError(
            "reads refused:", [Problem("reads", f"send 1 to {MAX_BATCH} reads at a time")]
        )
    own = device.device
    source = ReadSource.CAMERA if own.camera else ReadSource.IMPORT
    reads, problems = [], []
    for number, row in enumerate(rows, start=1):
        try:
            if not isinstance(row, dict):
                raise ValueError("is not an object")
            if own.camera and row.get("camera") not in (None, own.camera):
                raise ValueError(f"camera {quote(row['camera'])} is not this device's camera")
            read = read_from_row(row, None, source, own.source_name or "")
            reads.append(replace(read, camera=own.camera) if own.camera else read)
        except ValueError as exc:
            problems.append(Problem(f"read {number}", str(exc)))
    if problems:
        raise InvalidInputError(f"{len(rows)} reads refused, nothing stored:", problems)
    result = ingest_reads(rt, device.actor, reads)
    with rt.engine.begin() as conn:
        record(
            conn,
            rt,
            device.actor,
            "device_push",
            parameters={"device": own.id, "received": len(rows)},
            result_count=result.stored,
        )
    return result


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
