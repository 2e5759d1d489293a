"""`unit sync`: pull the hot-list changes from the station, check and apply them."""

import hashlib
import hmac
import json
from typing import Any

from platewarden.domain import Actor
from platewarden.services.runtime import Runtime
from platewarden.services.unit_hotlists import (
    Applied,
    ChecksumMismatchError,
    apply_changes,
    held_cursor,
)
from platewarden.services.unit_outbox import note_contact
from platewarden.unit.config import UnitConfig, UnitError
from platewarden.unit.station import Station


def sync_hotlists(rt: Runtime, actor: Actor, config: UnitConfig, station: Station) -> Applied:
    """Bring the copy up to the station's; a copy that does not add up is replaced whole."""
    since = held_cursor(rt, actor)
    try:
        return _pull(rt, actor, config, station, since)
    except ChecksumMismatchError:
        return _pull(rt, actor, config, station, None)


def verify(key: bytes, payload: bytes, signature: str) -> dict[str, Any]:
    """Return the station's answer once its signature checks out under the unit's key."""
    expected = "v1=" + hmac.new(key, payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise UnitError("the hot-list answer is not signed by this unit's station: not applied")
    body: dict[str, Any] = json.loads(payload)
    return body


def _pull(
    rt: Runtime, actor: Actor, config: UnitConfig, station: Station, since: str | None
) -> Applied:
    payload, signature = station.hotlist_changes(since)
    note_contact(rt, actor)
    body = verify(bytes.fromhex(config.key), payload, signature)
    return apply_changes(rt, actor, body, unit=config.name, since=since)
