"""Retention in the car, the station's policy there, and reads the station will never take."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select
from typer.testing import CliRunner

from platewarden.cli.main import app
from platewarden.policy.model import DEFAULT_POLICY_FILE
from platewarden.services import devices, policies
from platewarden.services.ingest import ingest_reads
from platewarden.services.installation import POLICY_ACTION
from platewarden.services.runtime import Runtime
from platewarden.services.unit_retention import purge_expired
from platewarden.services.unit_status import register_camera, unit_status
from platewarden.store.schema import unit_audit
from platewarden.unit.config import open_unit, unit_actor
from platewarden.unit.outbox import forward
from platewarden.unit.station import Station
from platewarden.unit.sync import sync_hotlists
from tests.factories import CUSTODIAN, FixedClock, new_read
from tests.functional.api.conftest import serving
from tests.functional.unit.factories import CAR, enrol_unit, moved, station_reads


def unit_records(station: Runtime, action: str) -> list[dict[str, object]]:
    """Return the parameters of the unit's forwarded audit records of one action."""
    with station.engine.connect() as conn:
        query = select(unit_audit.c.parameters).where(unit_audit.c.action == action)
        return list(conn.scalars(query))


def test_the_stations_policy_reaches_the_car_whose_reads_past_retention_go_even_unsent(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    shorter = DEFAULT_POLICY_FILE.read_text("utf-8").replace("days = 90", "days = 30")
    with serving(runtime) as url:
        config = enrol_unit(runtime, tmp_path / "unit", url)
        policies.apply_policy(
            runtime, CUSTODIAN, shorter, source="p.toml", reason="shorter", expected_version=1
        )
        unit = open_unit(tmp_path / "unit", clock=clock)
        machine = unit_actor(config)
        register_camera(unit, machine, camera=CAR)
        assert unit.policy.retention.days == 90  # the default, until the station's arrives
        with Station(config) as station:
            sync_hotlists(unit, machine, config, station)
            sync_hotlists(unit, machine, config, station)  # the same version: taken once
    assert unit.policy.retention.days == 30
    assert unit_status(unit, machine).policy_version == "2"
    old = new_read("OLD0001", camera=CAR, with_images=True)
    ingest_reads(unit, machine, [old])
    clock.at += timedelta(days=31)
    fresh = new_read("NEW0001", camera=CAR, with_images=True, captured_at=clock.at)
    ingest_reads(unit, machine, [fresh])
    done = purge_expired(unit, machine)  # the station away all along: never sent, still purged
    assert (done.purged, done.never_forwarded, done.set_aside) == (1, 1, 0)
    assert purge_expired(unit, machine).purged == 0
    assert unit_status(unit, machine).queued == 1
    with serving(runtime) as url, Station(moved(config, url)) as station:
        forward(unit, machine, station)
    assert [r[0] for r in station_reads(runtime)] == [fresh.client_read_id]
    (purge,) = unit_records(runtime, "unit_purge")  # reported at the next contact
    assert (purge["never_forwarded"], purge["retention_days"]) == (1, 30)
    taken = unit_records(runtime, POLICY_ACTION)  # the unit's first start's, then the station's
    (applied,) = [p for p in taken if str(p["source"]).startswith("station policy version 2")]
    assert applied["retention_days"] == 30
    unit.close()


def test_a_read_the_station_refuses_is_set_aside_and_the_reads_after_it_go_on(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    now = clock.at = datetime.now(UTC)  # `unit status` below runs on the real clock
    with serving(runtime) as url:
        config = enrol_unit(runtime, tmp_path / "unit", url)
        unit = open_unit(tmp_path / "unit", clock=clock)
        machine = unit_actor(config)
        register_camera(unit, machine, camera=CAR)
        register_camera(unit, machine, camera="cam-x")  # not this unit's camera at the station
        good = [new_read(f"OK{n:04d}", camera=CAR, captured_at=now) for n in range(5)]
        poison = new_read("BAD0001", camera="cam-x", captured_at=now)
        ingest_reads(unit, machine, [*good[:2], poison, *good[2:]])
        with Station(config) as station:
            done = forward(unit, machine, station)
            assert (done.sent, done.stored, done.set_aside) == (5, 5, 1)
            again = forward(unit, machine, station)
            assert (again.sent, again.set_aside) == (0, 0)
    assert sorted(r[0] for r in station_reads(runtime)) == sorted(r.client_read_id for r in good)
    status = unit_status(unit, machine)
    assert status.queued == 0
    assert [(s.client_read_id, s.status_code) for s in status.set_aside] == [
        (poison.client_read_id, 422)
    ]
    assert unit_records(runtime, "unit_read_set_aside")[0]["read"] == poison.client_read_id
    unit.close()
    shown = CliRunner().invoke(app, ["unit", "status", "--dir", str(tmp_path / "unit")])
    assert shown.exit_code == 0, shown.output
    assert "1 reads refused by the station" in shown.output
    assert poison.client_read_id in shown.output and "BAD0001" not in shown.output
    refused = CliRunner().invoke(app, ["unit", "alerts", "--dir", str(tmp_path / "unit")])
    assert refused.exit_code == 1
    assert "no member is logged on at this unit" in refused.output


def test_a_camera_token_cannot_post_a_units_records(runtime: Runtime) -> None:
    token = devices.add_device(runtime, CUSTODIAN, name="gate", camera="cam-1")[1]
    with serving(runtime) as url:
        answer = httpx.post(
            f"{url}/api/v1/units/records",
            json={"audit": [], "alerts": []},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 403
    with runtime.engine.connect() as conn:
        assert conn.scalar(select(unit_audit.c.id)) is None
