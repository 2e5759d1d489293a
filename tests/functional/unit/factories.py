"""A station's patrol-car unit, set up for a test: the car's camera, its device, its laptop."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from platewarden.domain import CameraKind
from platewarden.services import cameras, devices
from platewarden.services.runtime import Runtime
from platewarden.store.schema import reads
from platewarden.unit.config import UnitConfig, save_config
from platewarden.web.unit_console import make_unit_server
from tests.factories import CUSTODIAN

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
