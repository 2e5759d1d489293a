"""The unit's copy of the hot lists: changes from its station, checked, applied all or nothing.

Entries keep the station's ids and feed versions keep the station's load time, so an alert in
the car is STALE exactly when the station's would be. Hand-entered entries hang on one local
version ("manual", id 0) whose time is the station's time of the last sync: once the copy is
older than the policy's hot-list age limit, their alerts are STALE too.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from platewarden.domain import Actor
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.runtime import Runtime
from platewarden.store import hotlists as hotlist_store
from platewarden.store.schema import alerts, hotlist_entries, hotlist_versions
from platewarden.unit.config import UnitError
from platewarden.unit.state import AS_OF, CURSOR, get_state, set_state

MANUAL_VERSION = 0
DATES = ("entered_at", "expires_at")


class ChecksumMismatchError(UnitError):
    """The copy does not add up to what the station holds: a full copy is needed."""


@dataclass(frozen=True)
class Applied:
    """What one sync changed in the copy."""

    full: bool
    added: int
    removed: int
    cursor: str
    as_of: datetime


def held_cursor(rt: Runtime) -> str | None:
    """Return the cursor of the copy held, None before the first sync."""
    with rt.engine.connect() as conn:
        return get_state(conn, CURSOR)


def verify(key: bytes, payload: bytes, signature: str) -> dict[str, Any]:
    """Return the station's answer once its signature checks out under the unit's key."""
    expected = "v1=" + hmac.new(key, payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise UnitError("the hot-list answer is not signed by this unit's station: not applied")
    body: dict[str, Any] = json.loads(payload)
    return body


def apply_changes(
    rt: Runtime, actor: Actor, body: dict[str, Any], *, unit: str, since: str | None
) -> Applied:
    """Apply a verified answer to the copy in one transaction; refuse one not meant for it."""
    authorize(rt, actor, Action.SYNC_HOTLISTS, parameters={"since": since})
    if body.get("unit") != unit or body.get("since") != since:
        raise UnitError("the hot-list answer was made for another unit or another copy")
    as_of = datetime.fromisoformat(body["as_of"])
    with rt.engine.begin() as conn:
        held = get_state(conn, AS_OF)
        if held is not None and datetime.fromisoformat(held) > as_of:
            raise UnitError("the hot-list answer is older than the copy held: not applied")
        _put_versions(conn, body["versions"], as_of)
        if body["full"]:
            _remove(conn, None, as_of)
        _remove(conn, body["removed"], as_of)
        _put_entries(conn, body["added"])
        _check(conn, body["checksum"], as_of)
        _forget_unused(conn, as_of)
        hotlist_store.bump_generation(conn)
        set_state(conn, CURSOR, body["cursor"])
        set_state(conn, AS_OF, body["as_of"])
        record(
            conn,
            rt,
            actor,
            "hotlist_sync",
            parameters={"full": body["full"], "removed": len(body["removed"])},
            result_count=len(body["added"]),
        )
    return Applied(body["full"], len(body["added"]), len(body["removed"]), body["cursor"], as_of)


def _put_versions(conn: Connection, versions: list[dict[str, Any]], as_of: datetime) -> None:
    known = set(conn.scalars(select(hotlist_versions.c.id)))
    rows = [
        {
            "id": v["id"],
            "source": v["source"],
            "loaded_at": datetime.fromisoformat(v["loaded_at"]),
            "loaded_by": "station",
            "entry_count": 0,
            "sha256": v["sha256"],
            "forced": False,
        }
        for v in versions
        if v["id"] not in known
    ]
    if rows:
        conn.execute(insert(hotlist_versions), rows)
    manual = {"source": hotlist_store.MANUAL, "loaded_at": as_of}
    if MANUAL_VERSION in known:
        conn.execute(
            update(hotlist_versions).where(hotlist_versions.c.id == MANUAL_VERSION).values(manual)
        )
    else:
        values = {"id": MANUAL_VERSION, "loaded_by": "station", "entry_count": 0, "sha256": ""}
        conn.execute(insert(hotlist_versions).values({**values, **manual, "forced": False}))


def _remove(conn: Connection, ids: list[int] | None, as_of: datetime) -> None:
    query = update(hotlist_entries).where(hotlist_entries.c.removed_at.is_(None))
    if ids is not None:
        query = query.where(hotlist_entries.c.id.in_(ids))
    conn.execute(query.values(removed_at=as_of, removed_by="station"))


def _put_entries(conn: Connection, added: list[dict[str, Any]]) -> None:
    rows = [
        {
            **entry,
            **{name: datetime.fromisoformat(entry[name]) for name in DATES if entry[name]},
            "version_id": entry["version_id"] or MANUAL_VERSION,
            "confidential": False,
            "removed_at": None,
            "removed_by": None,
        }
        for entry in added
    ]
    ids = [row["id"] for row in rows]
    known: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        known |= set(
            conn.scalars(select(hotlist_entries.c.id).where(hotlist_entries.c.id.in_(chunk)))
        )
    for row in (r for r in rows if r["id"] in known):  # kept for an alert, now back in force
        conn.execute(update(hotlist_entries).where(hotlist_entries.c.id == row["id"]).values(row))
    fresh = [row for row in rows if row["id"] not in known]
    for start in range(0, len(fresh), 5000):
        conn.execute(insert(hotlist_entries), fresh[start : start + 5000])


def _check(conn: Connection, checksum: dict[str, int], as_of: datetime) -> None:
    count, total = conn.execute(
        select(func.count(), func.coalesce(func.sum(hotlist_entries.c.id), 0)).where(
            *hotlist_store.active_conditions(as_of)
        )
    ).one()
    if (count, total) != (checksum["count"], checksum["id_sum"]):
        raise ChecksumMismatchError(
            f"the copy holds {count} entries where the station has {checksum['count']}"
        )


def _forget_unused(conn: Connection, as_of: datetime) -> None:
    """Delete entries no longer in force that no alert in the car refers to."""
    in_force = select(hotlist_entries.c.id).where(*hotlist_store.active_conditions(as_of))
    conn.execute(
        delete(hotlist_entries).where(
            hotlist_entries.c.id.not_in(in_force),
            hotlist_entries.c.id.not_in(select(alerts.c.entry_id)),
        )
    )
