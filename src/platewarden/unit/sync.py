"""`unit sync`: pull the hot-list changes from the station, check and apply them."""

from platewarden.domain import Actor
from platewarden.services.runtime import Runtime
from platewarden.unit.config import UnitConfig
from platewarden.unit.hotlists import (
    Applied,
    ChecksumMismatchError,
    apply_changes,
    held_cursor,
    verify,
)
from platewarden.unit.outbox import note_contact
from platewarden.unit.station import Station


def sync_hotlists(rt: Runtime, actor: Actor, config: UnitConfig, station: Station) -> Applied:
    """Bring the copy up to the station's; a copy that does not add up is replaced whole."""
    since = held_cursor(rt)
    try:
        return _pull(rt, actor, config, station, since)
    except ChecksumMismatchError:
        return _pull(rt, actor, config, station, None)


def _pull(
    rt: Runtime, actor: Actor, config: UnitConfig, station: Station, since: str | None
) -> Applied:
    payload, signature = station.hotlist_changes(since)
    note_contact(rt)
    body = verify(bytes.fromhex(config.key), payload, signature)
    return apply_changes(rt, actor, body, unit=config.name, since=since)
