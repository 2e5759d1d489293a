"""`unit status` and the alerts the car raised: what the unit holds, for the officer to see."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from platewarden.domain import Actor, Alert
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.runtime import Runtime
from platewarden.store import alerts as alert_store
from platewarden.store.hotlists import active_conditions
from platewarden.store.schema import hotlist_entries, unit_forwarded
from platewarden.unit.outbox import queued_count
from platewarden.unit.state import AS_OF, CURSOR, LAST_CONTACT, get_state


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
    now = rt.clock.now()
    with rt.engine.connect() as conn:
        as_of, contact = get_state(conn, AS_OF), get_state(conn, LAST_CONTACT)
        return UnitStatus(
            queued=queued_count(conn),
            kept_for_alerts=conn.scalar(select(func.count()).select_from(unit_forwarded)) or 0,
            hotlist_cursor=get_state(conn, CURSOR),
            hotlist_as_of=datetime.fromisoformat(as_of) if as_of else None,
            hotlist_entries=conn.scalar(
                select(func.count()).select_from(hotlist_entries).where(*active_conditions(now))
            )
            or 0,
            max_age=timedelta(hours=rt.policy.hotlists.max_age_hours),
            last_contact=datetime.fromisoformat(contact) if contact else None,
        )


def newest_alert_id(rt: Runtime, actor: Actor) -> int:
    """Return the id of the newest alert in the car (0 for none)."""
    authorize(rt, actor, Action.INGEST)
    with rt.engine.connect() as conn:
        return alert_store.latest_ids(conn)[0]


def alerts_after(rt: Runtime, actor: Actor, *, after: int) -> list[Alert]:
    """Return the alerts raised in the car since an alert id, to show the officer (audited)."""
    authorize(rt, actor, Action.INGEST, parameters={"after": after})
    with rt.engine.begin() as conn:
        found = alert_store.alerts_after(conn, alert_id=after, limit=1000)
        record(conn, rt, actor, "unit_alerts_shown", result_count=len(found))
    return found
