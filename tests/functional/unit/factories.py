"""A station's patrol-car unit, set up for a test: the car's camera, its device, its laptop."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from platewarden.domain import CameraKind
from platewarden.policy.access import Role
from platewarden.services import cameras, devices, hotlists
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.unit_status import register_camera
from platewarden.store.schema import reads
from platewarden.unit.config import UnitConfig, open_unit, save_config, unit_actor
from platewarden.unit.station import Station
from platewarden.unit.sync import sync_hotlists
from platewarden.web.unit_console import make_unit_server
from tests.factories import CUSTODIAN, PASSWORD, FixedClock, enrol, new_read
from tests.functional.api.conftest import serving
from tests.functional.console.conftest import csrf_of

CAR = "car-12"


def enrol_unit(station: Runtime, folder: Path, url: str) -> UnitConfig:
    """Register the car's camera and unit at the station; set the laptop up."""
    cameras.add_camera(station, CUSTODIAN, name=CAR, kind=CameraKind.MOBILE)
    device, token, key = devices.add_unit(station, CUSTODIAN, name="unit-12", camera=CAR)
    config = UnitConfig(device.name, CAR, url, token, key)
    save_config(folder, config)
    return config


def moved(config: UnitConfig, url: str) -> UnitConfig:
    """Return the unit's settings with the station at another address (a restarted server)."""
    return UnitConfig(config.name, config.camera, url, config.token, config.key)


def station_reads(station: Runtime) -> list[tuple[str, str | None, str | None]]:
    """Return (client read id, frame blob, crop blob) of every read at the station."""
    with station.engine.connect() as conn:
        query = select(reads.c.client_read_id, reads.c.frame_blob, reads.c.crop_blob)
        return [tuple(row) for row in conn.execute(query)]


@contextmanager
def car_console(unit: Runtime, config: UnitConfig) -> Iterator[str]:
    """Serve the car's console over the unit's runtime on a free port; yield its address."""
    server = make_unit_server(unit, config, port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "the car's console did not start"
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass(frozen=True)
class Car:
    """A unit synced with its station, and a browser-less client of its console."""

    unit: Runtime
    config: UnitConfig
    url: str
    http: httpx.Client

    def raise_alert(self, plate: str = "STL4411") -> int:
        """Read a hot-listed plate in the car (as `unit run` does); return the alert's id."""
        read = new_read(plate, camera=CAR, with_images=True, captured_at=self.unit.clock.now())
        (alert_id,) = ingest_reads(self.unit, unit_actor(self.config), [read]).alerts
        return alert_id

    def log_on(self, username: str = "ofc", password: str = PASSWORD) -> httpx.Response:
        """Log on through the console's form."""
        form = self.http.get("/login")
        data = {"username": username, "password": password, "csrf_token": csrf_of(form.text)}
        return self.http.post("/login", data=data)

    def post(self, path: str, **data: str) -> httpx.Response:
        """Send a step as the page's HTMX form does, with the page's CSRF token."""
        token = csrf_of(self.http.get("/alerts").text)
        headers = {"HX-Request": "true", "X-CSRF-Token": token}
        return self.http.post(path, data=data, headers=headers)


@pytest.fixture
def car(runtime: Runtime, clock: FixedClock, tmp_path: Path) -> Iterator[Car]:
    """A unit synced with its station (an officer, a hot-listed plate), its console served."""
    enrol(runtime, "ofc", Role.OFFICER)
    enrol(runtime, "inv", Role.INVESTIGATOR)  # handles no alerts: never sent to a unit
    with serving(runtime) as url:
        config = enrol_unit(runtime, tmp_path / "unit", url)
        hotlists.add_entry(
            runtime,
            CUSTODIAN,
            plate="STL4411",
            purpose="stolen_vehicle",
            case_number="26-41",
            notes="grey sedan",
        )
        unit = open_unit(tmp_path / "unit", clock=clock)
        register_camera(unit, unit_actor(config), camera=CAR)
        with Station(config) as station:
            sync_hotlists(unit, unit_actor(config), config, station)
    # The station is out of reach from here on: the car's console needs none.
    with car_console(unit, config) as address, httpx.Client(base_url=address) as http:
        yield Car(unit, config, address, http)
    unit.close()
