"""Members at the unit (426.6 a): log-on in the car with no network, every access audited, the
audit trail and the officer's confirmations forwarded to the station, each stored once."""

from pathlib import Path

import pytest
from sqlalchemy import select

from platewarden.domain import AlertStatus
from platewarden.policy.access import Role
from platewarden.services import alerts, auth, hotlists
from platewarden.services.auth import LogonError
from platewarden.services.errors import AccessDeniedError
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.unit_outbox import next_records
from platewarden.services.unit_status import newest_alert_id, register_camera
from platewarden.store.schema import alert_events, alert_reads, reads, unit_audit
from platewarden.store.schema import alerts as alert_rows
from platewarden.unit.config import open_unit, unit_actor
from platewarden.unit.outbox import forward
from platewarden.unit.station import Station
from platewarden.unit.sync import sync_hotlists
from tests.factories import CUSTODIAN, PASSWORD, FixedClock, enrol, new_read
from tests.functional.api.conftest import serving
from tests.functional.unit.factories import CAR, enrol_unit, moved


def station_alert_of(station: Runtime, client_read_id: str) -> tuple[str, list[tuple[str, str]]]:
    """Return the status of the station's alert for a read, and its (actor, event) list."""
    with station.engine.connect() as conn:
        alert_id = conn.scalar(
            select(alert_reads.c.alert_id)
            .join(reads, reads.c.id == alert_reads.c.read_id)
            .where(reads.c.client_read_id == client_read_id)
        )
        status = conn.scalar(select(alert_rows.c.status).where(alert_rows.c.id == alert_id))
        events = conn.execute(
            select(alert_events.c.actor, alert_events.c.event, alert_events.c.detail)
            .where(alert_events.c.alert_id == alert_id)
            .order_by(alert_events.c.id)
        ).all()
    return status, [(a, e) for a, e, d in events if d.get("unit") == "unit-12"]


def unit_audit_at_station(station: Runtime) -> list[tuple[int, str, str]]:
    """Return (unit record id, actor, action) of the unit's records the station holds."""
    with station.engine.connect() as conn:
        query = select(unit_audit.c.entry_id, unit_audit.c.actor, unit_audit.c.action)
        return [tuple(row) for row in conn.execute(query.order_by(unit_audit.c.entry_id))]


def test_an_officer_logs_on_in_the_car_with_no_network_and_the_confirmations_reach_the_station(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    enrol(runtime, "ofc", Role.OFFICER)
    enrol(runtime, "inv", Role.INVESTIGATOR)  # handles no alerts: not sent to units
    with serving(runtime) as url:
        config = enrol_unit(runtime, tmp_path / "unit", url)
        hotlists.add_entry(
            runtime, CUSTODIAN, plate="STL4411", purpose="stolen_vehicle", case_number="26-1"
        )
        unit = open_unit(tmp_path / "unit", clock=clock)
        machine = unit_actor(config)
        register_camera(unit, machine, camera=CAR)
        with Station(config) as station:
            sync_hotlists(unit, machine, config, station)
    # No station: the officer logs on against the members that came with the hot lists.
    officer = auth.log_on(unit, username="ofc", password=PASSWORD).actor
    with pytest.raises(LogonError):
        auth.log_on(unit, username="inv", password=PASSWORD)
    with pytest.raises(LogonError):
        auth.log_on(unit, username="ofc", password="not the password")
    read = new_read("STL4411", camera=CAR, with_images=True)
    (alert_id,) = ingest_reads(unit, machine, [read]).alerts
    with pytest.raises(AccessDeniedError):
        newest_alert_id(unit, machine)  # the unit's own process sees no alert: only a member
    assert newest_alert_id(unit, officer) == alert_id
    alerts.view_alert(unit, officer, alert_id=alert_id)
    alerts.confirm_visually(unit, officer, alert_id=alert_id)
    alerts.confirm_by_other_means(
        unit, officer, alert_id=alert_id, how="dispatch", answer="stolen, confirmed"
    )
    sent_before_a_cut = next_records(unit, machine, limit=10_000)
    with serving(runtime) as url, Station(moved(config, url)) as station:
        done = forward(unit, machine, station)
        assert (done.sent, done.alerts_sent) == (1, 1)
        # Sent again (the unit cut off before it noted the answer): nothing is stored twice.
        receipt = station.push_records(sent_before_a_cut.body())
    assert receipt == {
        "audit_stored": 0,
        "alerts_made": 0,
        "events_applied": 0,
        "events_not_applied": 0,
    }
    status, events = station_alert_of(runtime, read.client_read_id)
    assert status == AlertStatus.CONFIRMED
    assert events == [
        ("ofc", "viewed"),
        ("ofc", "visual_confirmation"),
        ("ofc", "other_confirmation"),
    ]
    trail = unit_audit_at_station(runtime)
    actions = {(actor, action) for _, actor, action in trail}
    assert {
        ("ofc", "logon"),
        ("inv", "logon"),  # refused, and recorded
        ("ofc", "view_alert"),
        ("ofc", "alert_other_confirmation"),
        ("unit:unit-12", "hotlist_sync"),
    } <= actions
    ids = [entry_id for entry_id, _, _ in trail]
    assert ids == sorted(set(ids)) and ids[0] == 1
    unit.close()
