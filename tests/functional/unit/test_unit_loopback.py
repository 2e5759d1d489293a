"""A station and a patrol-car unit on loopback: hot lists down, reads up, exactly once."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from platewarden.services import devices, hotlists
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.unit_status import register_camera, unit_status
from platewarden.store.schema import reads
from platewarden.unit.config import (
    UnitConfig,
    UnitError,
    open_unit,
    unit_actor,
)
from platewarden.unit.outbox import forward
from platewarden.unit.station import Station, StationUnreachableError
from platewarden.unit.sync import sync_hotlists
from tests.factories import CUSTODIAN, FixedClock, new_read
from tests.functional.api.conftest import serving
from tests.functional.unit.factories import CAR, enrol_unit, station_reads


def test_the_car_alerts_with_the_station_away_and_every_read_arrives_once_with_its_images(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    with serving(runtime) as url:
        config = enrol_unit(runtime, tmp_path / "unit", url)
        hotlists.add_entry(
            runtime, CUSTODIAN, plate="STL4411", purpose="stolen_vehicle", case_number="26-1"
        )
        unit = open_unit(tmp_path / "unit", clock=clock)
        actor = unit_actor(config)
        register_camera(unit, actor, camera=CAR)
        with Station(config) as station:
            first = sync_hotlists(unit, actor, config, station)
        assert first.full and first.added == 1
    # The station is down: the car still reads, alerts and queues.
    batch = [new_read("STL4411", camera=CAR, with_images=True)] + [
        new_read(f"OK{n:04d}", camera=CAR, with_images=True) for n in range(30)
    ]
    result = ingest_reads(unit, actor, batch)
    assert result.stored == 31 and len(result.alerts) == 1
    waits: list[float] = []
    with pytest.raises(StationUnreachableError), Station(config) as station:
        forward(unit, actor, station, give_up_after_s=0.0, sleep=waits.append)
    assert unit_status(unit, actor).queued == 31
    assert station_reads(runtime) == []

    with serving(runtime) as url:  # back, on another port
        moved = UnitConfig(config.name, CAR, url, config.token, config.key)
        with Station(moved) as station:
            done = forward(unit, actor, station, sleep=waits.append)
    assert (done.sent, done.stored, done.duplicates) == (31, 31, 0)
    arrived = station_reads(runtime)
    assert sorted(r[0] for r in arrived) == sorted(r.client_read_id for r in batch)
    assert all(frame and crop for _, frame, crop in arrived)
    status = unit_status(unit, actor)
    assert (status.queued, status.kept_for_alerts) == (0, 1)  # the alert's read stays in the car
    unit.close()


def test_an_entry_added_at_the_station_reaches_the_unit_at_its_next_sync_and_alerts_there(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    with serving(runtime) as url:
        config = enrol_unit(runtime, tmp_path / "unit", url)
        unit = open_unit(tmp_path / "unit", clock=clock)
        actor = unit_actor(config)
        register_camera(unit, actor, camera=CAR)
        station = Station(config)
        assert sync_hotlists(unit, actor, config, station).added == 0  # closed below
        entry, _ = hotlists.add_entry(
            runtime, CUSTODIAN, plate="WNT9900", purpose="stolen_vehicle", case_number="26-2"
        )
        hotlists.add_entry(
            runtime,
            CUSTODIAN,
            plate="SEC0001",
            purpose="stolen_vehicle",
            case_number="26-3",
            confidential=True,
        )
        changes = sync_hotlists(unit, actor, config, station)
        assert (changes.full, changes.added) == (False, 1)  # never the confidential one
        assert len(ingest_reads(unit, actor, [new_read("WNT9900", camera=CAR)]).alerts) == 1
        hotlists.remove_entry(runtime, CUSTODIAN, entry_id=entry.id, reason="recovered")
        assert sync_hotlists(unit, actor, config, station).removed == 1
        assert ingest_reads(unit, actor, [new_read("WNT9900", camera=CAR)]).alerts == []
        station.close()
    unit.close()


def test_the_unit_refuses_a_hot_list_not_signed_with_its_key(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    with serving(runtime) as url:
        config = enrol_unit(runtime, tmp_path / "unit", url)
        forged = UnitConfig(config.name, CAR, url, config.token, "00" * 32)
        unit = open_unit(tmp_path / "unit", clock=clock)
        with pytest.raises(UnitError, match="not signed"), Station(forged) as station:
            sync_hotlists(unit, unit_actor(config), forged, station)
    assert unit_status(unit, unit_actor(config)).hotlist_cursor is None
    unit.close()


def test_a_camera_token_gets_no_hot_lists(runtime: Runtime) -> None:
    token = devices.add_device(runtime, CUSTODIAN, name="gate", camera="cam-1")[1]
    with serving(runtime) as url:
        answer = httpx.get(
            f"{url}/api/v1/units/hotlists", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 403
    assert "sync_hotlists" in answer.json()["detail"]


@pytest.mark.timeout(240)
def test_a_unit_killed_while_sending_loses_nothing_and_the_station_stores_nothing_twice(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    total = 40
    with serving(runtime) as url:
        config = enrol_unit(runtime, tmp_path / "unit", url)
        unit = open_unit(tmp_path / "unit", clock=clock)
        actor = unit_actor(config)
        register_camera(unit, actor, camera=CAR)
        # Captured now: the command runs on the real clock and purges reads past retention.
        now = clock.at = datetime.now(UTC)
        batch = [
            new_read(f"KL{n:04d}", camera=CAR, with_images=True, captured_at=now)
            for n in range(total)
        ]
        ingest_reads(unit, actor, batch)
        command = [sys.executable, "-m", "platewarden", "unit", "forward", "--batch", "1"]
        env = {**os.environ, "PLATEWARDEN_UNIT_DIR": str(tmp_path / "unit")}
        sender = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while len(station_reads(runtime)) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        sender.send_signal(signal.SIGKILL)
        sender.wait()
        killed_at = len(station_reads(runtime))
        assert 3 <= killed_at < total, "killed mid-queue"
        with Station(config) as station:
            done = forward(unit, actor, station)
    arrived = [r[0] for r in station_reads(runtime)]
    assert sorted(arrived) == sorted(r.client_read_id for r in batch)  # none lost, none twice
    assert done.duplicates <= 1  # at most the batch in flight when the power went
    assert unit_status(unit, actor).queued == 0
    with unit.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(reads)) == 0
    unit.close()
