"""A recognition worker killed with SIGKILL mid-queue: every frame's reads are stored once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import cv2
import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from platewarden.domain import CameraKind
from platewarden.jobs.registry import service_actor
from platewarden.services import cameras, devices, frames
from platewarden.services.runtime import open_runtime, upgrade_schema
from platewarden.settings import Settings
from platewarden.store.schema import reads
from platewarden.vision.pipeline import default_recognizer
from tests.factories import CUSTODIAN, FixedClock
from tests.unit.vision.synthetic import make_scene

FRAMES = 30


def count_reads(engine: Engine) -> tuple[int, int]:
    """Return (reads, distinct client read ids)."""
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(reads))
        distinct = conn.scalar(select(func.count(func.distinct(reads.c.client_read_id))))
    return total, distinct


@pytest.mark.timeout(240)
def test_a_killed_worker_leaves_its_frames_to_another_and_no_read_is_lost_or_doubled(
    settings: Settings,
) -> None:
    upgrade_schema(settings)
    rt = open_runtime(settings)
    cameras.add_camera(rt, CUSTODIAN, name="gate", kind=CameraKind.FIXED)
    token = devices.add_device(rt, CUSTODIAN, name="gate-cam", camera="gate")[1]
    device = devices.device_actor(rt, token)
    images = []
    for n in range(FRAMES):
        scene = make_scene(np.random.default_rng(100 + n))
        images.append(cv2.imencode(".jpg", scene.image)[1].tobytes())
        frames.receive_frame(
            rt, device, image=images[-1], client_frame_id=f"f{n}", captured_at=rt.clock.now()
        )
    reader = default_recognizer()
    expected = sum(
        len(reader.recognize(cv2.imdecode(np.frombuffer(i, np.uint8), 1))) for i in images
    )

    env = {
        **os.environ,
        "PLATEWARDEN_DATA_DIR": str(settings.data_dir),
        "PLATEWARDEN_DATABASE_URL": settings.database_url,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "platewarden", "worker", "--batch", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while count_reads(rt.engine)[0] < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed_at = count_reads(rt.engine)[0]
    assert 3 <= killed_at < expected, "killed mid-queue"

    # Another worker: the dead one's leased frame comes free when its lease runs out.
    later = open_runtime(settings, clock=FixedClock(rt.clock.now() + timedelta(minutes=3)))
    system = service_actor(later)
    while taken := frames.take_frames(later, system, limit=8):
        frames.read_frames(later, system, reader, taken)
    assert frames.queue_depth(later, system) == 0
    assert count_reads(later.engine) == (expected, expected), "none lost, none twice"
    later.close()
    rt.close()
