"""Hot-list sync for patrol-car units: the changes since a unit's copy, signed for that unit.

A unit sends the cursor of its copy; the answer holds the entries added since, the entries
removed since, the current feed versions, and a checksum (count and id sum) of what the copy
must hold once the changes are applied. A unit whose copy does not add up asks for a full copy,
so an entry committed out of id order (PostgreSQL sequences) is never missed for long.

The answer is signed with HMAC-SHA256 under the unit's own key, given once at enrolment and
kept sealed with the master key: the unit checks that the list comes from its server even where
the channel is not TLS or the token was seen on the way. Confidential entries never go to a
unit (426.8: they need their own authorisation, which a device cannot hold).

The answer also carries what the unit needs to apply the policy with no network: the policy
version in force (the unit's retention, hot-list age and log-on rules) and the members who may
log on in a car (those who handle alerts), with their password hashes and training. Log-on at
the unit checks these locally: a car out of reach must still let its officer log on, and a
station-verified log-on would lock the officer out exactly when the car is on its own. The
hashes are argon2id, as at the station; a second factor cannot be checked offline (its secret
stays sealed at the station), so a member the policy asks one of cannot log on at a unit.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, false, func, select

from platewarden.policy.access import PERMISSIONS, Action
from platewarden.services.audit import authorize, record
from platewarden.services.devices import DeviceActor, sync_key_label
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.runtime import Runtime
from platewarden.store import devices as device_store
from platewarden.store import hotlists as hotlist_store
from platewarden.store.policies import latest_policy
from platewarden.store.schema import hotlist_entries
from platewarden.store.unit_members import credentials_for_units

# Removals committed a little before the previous answer's time are sent again: a transaction
# that took its time before that answer but committed after it is not missed.
OVERLAP = timedelta(minutes=10)
SIGNATURE_HEADER = "Platewarden-Signature"
# The members who may log on at a unit: those who handle the alerts raised in the car.
UNIT_ROLES = frozenset(r.value for r, acts in PERMISSIONS.items() if Action.HANDLE_ALERTS in acts)
ENTRY_FIELDS = (
    "id",
    "source",
    "version_id",
    "plate",
    "is_pattern",
    "purpose",
    "record_type",
    "jurisdiction",
    "plate_type",
    "nic",
    "ori",
    "oca",
    "case_number",
    "entered_at",
    "expires_at",
    "notes",
)


@dataclass(frozen=True)
class Cursor:
    """Where a unit's copy stands: the newest entry id it saw, and the server's time then."""

    entry_id: int
    at: datetime

    def __str__(self) -> str:
        return f"{self.entry_id}.{self.at.isoformat()}"

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        """Read a cursor a unit sent back; refuse one this server did not make."""
        entry, _, at = text.partition(".")
        try:
            parsed = cls(int(entry), datetime.fromisoformat(at))
        except ValueError:
            raise InvalidInputError(
                "hot-list sync refused:", [Problem("since", "is not a cursor this server gave")]
            ) from None
        if parsed.at.tzinfo is None or parsed.entry_id < 0:
            raise InvalidInputError(
                "hot-list sync refused:", [Problem("since", "is not a cursor this server gave")]
            )
        return parsed


def hotlist_changes(rt: Runtime, device: DeviceActor, *, since: str | None) -> tuple[bytes, str]:
    """Return the hot-list changes since a unit's cursor (all when None) and their signature."""
    authorize(rt, device.actor, Action.SYNC_HOTLISTS, parameters={"since": since})
    cursor = Cursor.parse(since) if since else None
    now = rt.clock.now()
    with rt.engine.begin() as conn:
        sealed = device_store.sync_key(conn, device_id=device.device.id)
        body = _changes(conn, cursor, now)
        body |= {"unit": device.device.name, "since": since}
        body |= {"members": credentials_for_units(conn, roles=UNIT_ROLES), "policy": _policy(conn)}
        record(
            conn,
            rt,
            device.actor,
            "hotlist_sync",
            parameters={
                "device": device.device.id,
                "since": since,
                "full": body["full"],
                "members": len(body["members"]),
                "policy": body["policy"]["version"],
            },
            result_count=len(body["added"]),
        )
    assert sealed is not None  # SYNC_HOTLISTS is a unit's only, and every unit has a key
    key = rt.blobs.unseal(sealed, sync_key_label(device.device.name))
    payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    return payload, sign(key, payload)


def sign(key: bytes, payload: bytes) -> str:
    """Return the signature header value of a payload under a unit's key."""
    return "v1=" + hmac.new(key, payload, hashlib.sha256).hexdigest()


def _changes(conn: Connection, cursor: Cursor | None, now: datetime) -> dict[str, Any]:
    in_force = and_(
        *hotlist_store.active_conditions(now), hotlist_entries.c.confidential == false()
    )
    newest = conn.scalar(select(func.max(hotlist_entries.c.id))) or 0
    added = select(*(hotlist_entries.c[name] for name in ENTRY_FIELDS)).where(in_force)
    removed: list[int] = []
    if cursor is not None:
        added = added.where(hotlist_entries.c.id > cursor.entry_id)
        removed = list(
            conn.scalars(
                select(hotlist_entries.c.id).where(
                    hotlist_entries.c.id <= cursor.entry_id,
                    hotlist_entries.c.removed_at >= cursor.at - OVERLAP,
                    hotlist_entries.c.confidential == false(),
                )
            )
        )
    count, total = conn.execute(
        select(func.count(), func.coalesce(func.sum(hotlist_entries.c.id), 0)).where(in_force)
    ).one()
    versions = hotlist_store.current_versions(conn).values()
    return {
        "full": cursor is None,
        "cursor": str(Cursor(newest, now)),
        "as_of": now.isoformat(),
        "added": [_entry(row) for row in conn.execute(added.order_by(hotlist_entries.c.id))],
        "removed": removed,
        "versions": [
            {
                "id": v.id,
                "source": v.source,
                "loaded_at": v.loaded_at.isoformat(),
                "sha256": v.sha256,
            }
            for v in versions
        ],
        "checksum": {"count": int(count), "id_sum": int(total)},
    }


def _policy(conn: Connection) -> dict[str, Any]:
    current = latest_policy(conn)
    assert current is not None  # every installation has one from its first start
    return {"version": current.version, "sha256": current.sha256, "content": current.content}


def _entry(row: Any) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in row._mapping.items()
    }
