"""A patrol-car unit's copy of the hot lists: the station's changes, applied all or nothing.

Entries keep the station's ids and feed versions keep the station's load time, so an alert in
the car is STALE exactly when the station's would be. Hand-entered entries hang on one local
version ("manual", id 0) whose time is the station's time of the last sync: once the copy is
older than the policy's hot-list age limit, their alerts are STALE too.

The same answer brings the station's policy version (applied here as the unit's policy in
force, so its retention and limits are the station's) and the members who may log on in the
car; see services/unit_sync.py for why log-on at a unit is local.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from platewarden.domain import Actor
from platewarden.policy import PolicyError
from platewarden.policy.access import Action
from platewarden.policy.model import parse_policy
from platewarden.services.audit import authorize, record
from platewarden.services.errors import ServiceError
from platewarden.services.installation import policy_audit_entry, text_sha256
from platewarden.services.runtime import Runtime
from platewarden.store import hotlists as hotlist_store
from platewarden.store import unit_copy
from platewarden.store import unit_queue as state
from platewarden.store.audit import append_audit
from platewarden.store.policies import PolicyVersion, add_policy, latest_policy
from platewarden.store.unit_members import replace_members

DATES = ("entered_at", "expires_at")
POLICY_VERSION = "policy_version"  # the station's number of the policy version in force here


class CopyRefusedError(ServiceError):
    """The station's answer does not fit the copy held: not applied."""


class ChecksumMismatchError(CopyRefusedError):
    """The copy does not add up to what the station holds: a full copy is needed."""


@dataclass(frozen=True)
class Applied:
    """What one sync changed in the copy."""

    full: bool
    added: int
    removed: int
    cursor: str
    as_of: datetime


def held_cursor(rt: Runtime, actor: Actor) -> str | None:
    """Return the cursor of the copy held, None before the first sync."""
    authorize(rt, actor, Action.SYNC_HOTLISTS)
    with rt.engine.connect() as conn:
        return state.get_state(conn, key=state.CURSOR)


def apply_changes(
    rt: Runtime, actor: Actor, body: dict[str, Any], *, unit: str, since: str | None
) -> Applied:
    """Apply a verified answer to the copy in one transaction; refuse one not meant for it."""
    authorize(rt, actor, Action.SYNC_HOTLISTS, parameters={"since": since})
    if body.get("unit") != unit or body.get("since") != since:
        raise CopyRefusedError("the hot-list answer was made for another unit or another copy")
    as_of = datetime.fromisoformat(body["as_of"])
    with rt.engine.begin() as conn:
        held = state.get_state(conn, key=state.AS_OF)
        if held is not None and datetime.fromisoformat(held) > as_of:
            raise CopyRefusedError("the hot-list answer is older than the copy held: not applied")
        unit_copy.put_versions(conn, versions=body["versions"], as_of=as_of)
        if body["full"]:
            unit_copy.remove_entries(conn, ids=None, at=as_of)
        unit_copy.remove_entries(conn, ids=body["removed"], at=as_of)
        unit_copy.put_entries(conn, rows=[_entry(e) for e in body["added"]])
        count, total = unit_copy.checksum(conn, at=as_of)
        if (count, total) != (body["checksum"]["count"], body["checksum"]["id_sum"]):
            raise ChecksumMismatchError(
                f"the copy holds {count} entries where the station has {body['checksum']['count']}"
            )
        unit_copy.forget_unused(conn, at=as_of)
        members = replace_members(conn, given=body["members"], at=rt.clock.now())
        policy = _take_policy(rt, conn, actor, body["policy"])
        hotlist_store.bump_generation(conn)
        state.set_state(conn, key=state.CURSOR, value=body["cursor"])
        state.set_state(conn, key=state.AS_OF, value=body["as_of"])
        record(
            conn,
            rt,
            actor,
            "hotlist_sync",
            parameters={
                "full": body["full"],
                "removed": len(body["removed"]),
                "members": members,
                "policy": body["policy"]["version"],
            },
            result_count=len(body["added"]),
        )
    if policy:
        rt.reload_policy()
    return Applied(body["full"], len(body["added"]), len(body["removed"]), body["cursor"], as_of)


def _take_policy(rt: Runtime, conn: Connection, actor: Actor, given: dict[str, Any]) -> bool:
    """Put the station's policy version in force here when it is not yet; True if it was."""
    if state.get_state(conn, key=POLICY_VERSION) == str(given["version"]):
        return False
    source = f"station policy version {given['version']}"
    if text_sha256(given["content"]) != given["sha256"]:
        raise CopyRefusedError(f"the {source} does not match its hash: not applied")
    try:
        policy = parse_policy(given["content"], source)
    except PolicyError as exc:
        raise CopyRefusedError(f"the {source} is not a valid policy: {exc}") from None
    current = latest_policy(conn)
    number = current.version + 1 if current else 1
    version = PolicyVersion(
        number, given["sha256"], given["content"], source, rt.clock.now(), actor.name, "synced"
    )
    add_policy(conn, version=version)
    append_audit(conn, entry=policy_audit_entry(version, policy, actor.name))
    state.set_state(conn, key=POLICY_VERSION, value=str(given["version"]))
    return True


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        **entry,
        **{name: datetime.fromisoformat(entry[name]) for name in DATES if entry[name]},
        "version_id": entry["version_id"] or unit_copy.MANUAL_VERSION,
        "confidential": False,
        "removed_at": None,
        "removed_by": None,
    }
