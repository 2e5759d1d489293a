"""Devices: cameras and other ALPR systems that push reads to the API with a token.

A token is shown once and kept hashed. It is scoped to ingest for one camera or one source and
grants nothing else: a device is no member and cannot search, read or see alerts. Every use is
audited as the device.
"""

import base64
import binascii
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
MAX_IMAGE_BYTES = 2 * 2**20  # a 1280x720 JPEG frame is a few hundred kB
IMAGE_FIELDS = ("image_base64", "crop_base64")


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
    return _add(rt, actor, name=name, camera=camera, source=source, sync_key=None)


def add_unit(rt: Runtime, actor: Actor, *, name: str, camera: str) -> tuple[Device, str, str]:
    """Register a patrol car's unit for its camera; return it, its token and its hot-list key.

    The key (shown once, like the token) lets the unit check that a hot-list copy comes from
    this server: it is never sent again, so a token seen on the way does not forge a list.
    """
    authorize(rt, actor, Action.MANAGE_CAMERAS, parameters={"device": name[:100], "unit": True})
    key = secrets.token_bytes(32)
    sealed = rt.blobs.seal(key, sync_key_label(name))
    device, token = _add(rt, actor, name=name, camera=camera, source=None, sync_key=sealed)
    return device, token, key.hex()


def sync_key_label(name: str) -> str:
    """Return what a unit's sealed key is bound to."""
    return f"unit-sync:{name}"


def _add(
    rt: Runtime,
    actor: Actor,
    *,
    name: str,
    camera: str | None,
    source: str | None,
    sync_key: bytes | None,
) -> tuple[Device, str]:
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
            sync_key=sync_key,
        )
        record(
            conn,
            rt,
            actor,
            "add_device",
            parameters={
                "device": device_id,
                "camera": camera,
                "source": source,
                "unit": sync_key is not None,
            },
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
    role = Role.UNIT if device.unit else Role.DEVICE
    actor = Actor(f"device:{device.name}", frozenset({role}), client_address)
    return DeviceActor(actor, device)


def push_reads(rt: Runtime, device: DeviceActor, rows: list[Any]) -> IngestResult:
    """Ingest reads a device sent (our JSON fields), all or nothing, each stored once.

    A camera's device pushes reads of its own camera only; a source's device pushes the reads
    of its system, kept under that source's name. A read may carry its frame and plate crop as
    base64 (`image_base64`, `crop_base64`, each at most 2 MB): a patrol car's unit sends its
    reads so, and the images are checked and stored as capture stores them.
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
            fields = {k: v for k, v in row.items() if k not in IMAGE_FIELDS}
            read = read_from_row(fields, None, source, own.source_name or "")
            read = replace(
                read,
                frame_image=_image(row, "image_base64"),
                crop_image=_image(row, "crop_base64"),
            )
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


def _image(row: dict[str, Any], field: str) -> bytes | None:
    """Decode a base64 image field; refuse one that is not base64 or is too large."""
    value = row.get(field)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise ValueError(f"{field} must be base64 text of at most {MAX_IMAGE_BYTES // 2**20} MB")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError(f"{field} is not base64") from None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
