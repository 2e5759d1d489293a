"""What a patrol-car unit holds: its queue, its hot-list copy, its last contact, its alerts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from platewarden.domain import Actor, Alert, CameraKind
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.runtime import Runtime
from platewarden.services.unit_hotlists import POLICY_VERSION
from platewarden.store import alerts as alert_store
from platewarden.store import unit_copy
from platewarden.store import unit_queue as store
from platewarden.store.cameras import add_camera, get_camera


@dataclass(frozen=True)
class SetAside:
    """A read the station refused, kept apart in the car (no plate: status shows no data)."""

    client_read_id: str
    status_code: int
    reason: str
    set_aside_at: datetime


@dataclass(frozen=True)
class UnitStatus:
    """What is queued, how old the hot-list copy is, and when the station last answered."""

    queued: int
    kept_for_alerts: int
    hotlist_cursor: str | None
    hotlist_as_of: datetime | None
    hotlist_entries: int
    max_age: timedelta
    last_contact: datetime | None
    set_aside: tuple[SetAside, ...] = ()
    policy_version: str | None = None  # the station's number of the policy in force here

    def hotlist_age(self, now: datetime) -> timedelta | None:
        """Return how old the copy is (None before the first sync)."""
        return now - self.hotlist_as_of if self.hotlist_as_of else None

    def stale(self, now: datetime) -> bool:
        """True when there is no copy or it is older than the policy's limit."""
        age = self.hotlist_age(now)
        return age is None or age > self.max_age


def unit_status(rt: Runtime, actor: Actor) -> UnitStatus:
    """Return the unit's queue, hot-list copy and last contact."""
    authorize(rt, actor, Action.INGEST)
    return _status(rt)


def status_for_member(rt: Runtime, actor: Actor) -> UnitStatus:
    """Return the unit's status to a member who sees its alerts: above all, the copy's age."""
    authorize(rt, actor, Action.VIEW_ALERTS)
    return _status(rt)


def _status(rt: Runtime) -> UnitStatus:
    now = rt.clock.now()
    with rt.engine.connect() as conn:
        as_of = store.get_state(conn, key=store.AS_OF)
        contact = store.get_state(conn, key=store.LAST_CONTACT)
        return UnitStatus(
            queued=store.queued_count(conn),
            kept_for_alerts=store.forwarded_count(conn),
            hotlist_cursor=store.get_state(conn, key=store.CURSOR),
            hotlist_as_of=datetime.fromisoformat(as_of) if as_of else None,
            hotlist_entries=unit_copy.checksum(conn, at=now)[0],
            max_age=timedelta(hours=rt.policy.hotlists.max_age_hours),
            last_contact=datetime.fromisoformat(contact) if contact else None,
            set_aside=tuple(
                SetAside(r["client_read_id"], r["status_code"], r["reason"], r["set_aside_at"])
                for r in store.set_aside_reads(conn)
            ),
            policy_version=store.get_state(conn, key=POLICY_VERSION),
        )


def register_camera(rt: Runtime, actor: Actor, *, camera: str) -> None:
    """Register the car's camera in the unit's own database, once."""
    authorize(rt, actor, Action.INGEST, parameters={"camera": camera})
    with rt.engine.begin() as conn:
        if get_camera(conn, name=camera) is None:
            add_camera(conn, name=camera, kind=CameraKind.MOBILE, created_at=rt.clock.now())
            record(conn, rt, actor, "unit_camera", parameters={"camera": camera})


def newest_alert_id(rt: Runtime, actor: Actor) -> int:
    """Return the id of the newest alert in the car (0 for none), for the member logged on."""
    authorize(rt, actor, Action.VIEW_ALERTS)
    with rt.engine.connect() as conn:
        return alert_store.latest_ids(conn)[0]


def alerts_after(rt: Runtime, actor: Actor, *, after: int) -> list[Alert]:
    """Return the alerts raised in the car since an alert id, to show the member (audited)."""
    authorize(rt, actor, Action.VIEW_ALERTS, parameters={"after": after})
    with rt.engine.begin() as conn:
        found = alert_store.alerts_after(conn, alert_id=after, limit=1000)
        record(conn, rt, actor, "unit_alerts_shown", result_count=len(found))
    return found
