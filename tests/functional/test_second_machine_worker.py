"""A recognition worker on a second machine: the same PostgreSQL database, the images on shared
storage (`image_dir`), and a data folder of its own holding only copies of the two keys.

The server takes frames over HTTP and runs no worker; the other machine's worker reads each
frame once, writes the crops to the shared images under the database's day keys, and the
server then opens every image it stored.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from platewarden.domain import CameraKind
from platewarden.jobs.registry import service_actor
from platewarden.services import cameras, devices, frames
from platewarden.services.installation import service_key_file
from platewarden.services.runtime import open_runtime, upgrade_schema
from platewarden.settings import Settings
from platewarden.store.files import make_private_dir
from platewarden.store.schema import reads
from platewarden.vision.pipeline import default_recognizer
from tests.factories import CUSTODIAN
from tests.functional.api.conftest import serving
from tests.unit.vision.synthetic import make_scene

FRAMES = 6


def stored_reads(engine: Engine) -> list[tuple[str, str | None, str | None]]:
    """Return each read's client read id and its frame and crop images."""
    with engine.connect() as conn:
        query = select(reads.c.client_read_id, reads.c.frame_blob, reads.c.crop_blob)
        return [tuple(row) for row in conn.execute(query)]


def count_duplicates(engine: Engine) -> int:
    """Return how many reads repeat another's client read id."""
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(reads)) or 0
        distinct = conn.scalar(select(func.count(func.distinct(reads.c.client_read_id)))) or 0
    return total - distinct


def second_machine(server: Settings, folder: Path) -> dict[str, str]:
    """Copy what a worker machine gets (the two keys) into its own data folder; return the
    environment its worker runs with."""
    make_private_dir(folder)
    for key in (server.master_key_file, service_key_file(server)):
        shutil.copy2(key, folder / key.name)
    return {
        **os.environ,
        "PLATEWARDEN_DATA_DIR": str(folder),
        "PLATEWARDEN_DATABASE_URL": server.database_url,
        "PLATEWARDEN_IMAGE_DIR": str(server.blob_dir),
    }


@pytest.mark.postgres
@pytest.mark.timeout(240)
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_worker_on_another_machine_reads_each_posted_frame_once_from_the_shared_images(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "server",
        database_url=database_url,
        image_dir=tmp_path / "shared-images",
    )
    upgrade_schema(settings)
    rt = open_runtime(settings)
    cameras.add_camera(rt, CUSTODIAN, name="gate", kind=CameraKind.FIXED)
    token = devices.add_device(rt, CUSTODIAN, name="gate-cam", camera="gate")[1]
    reader = default_recognizer()
    images, expected = [], 0
    for n in range(FRAMES):
        scene = make_scene(np.random.default_rng(300 + n))
        images.append(cv2.imencode(".jpg", scene.image)[1].tobytes())
        expected += len(reader.recognize(scene.image))
    assert expected >= FRAMES // 2, "the scenes hold plates"

    with serving(rt) as url:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"}
        for n, image in enumerate(images):
            params = {"frame_id": f"f{n}", "captured_at": rt.clock.now().isoformat()}
            answer = httpx.post(
                f"{url}/api/v1/frames", params=params, content=image, headers=headers
            )
            assert answer.status_code == 202, answer.text

    worker_dir = tmp_path / "worker-machine"
    worker = subprocess.Popen(
        [sys.executable, "-m", "platewarden", "worker"],
        env=second_machine(settings, worker_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        system = service_actor(rt)
        deadline = time.monotonic() + 120
        while frames.queue_depth(rt, system) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.kill()
        worker.wait()

    assert frames.queue_depth(rt, system) == 0, "the other machine read every frame"
    found = stored_reads(rt.engine)
    assert len(found) == expected, "no read lost"
    assert count_duplicates(rt.engine) == 0, "none stored twice"
    for _, frame_blob, crop_blob in found:  # written there, opened here
        for blob in (frame_blob, crop_blob):
            assert blob is not None
            assert rt.blobs.get(blob)
    assert sorted(p.name for p in worker_dir.iterdir()) == ["master.key", "service.key"], (
        "the worker machine keeps no images of its own"
    )
    rt.close()
