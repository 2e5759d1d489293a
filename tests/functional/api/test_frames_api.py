"""Cameras push frames: acknowledged once stored, read by a worker, each read stored once."""

from datetime import timedelta

import cv2
import numpy as np
import pytest
from sqlalchemy import func, select

from platewarden.jobs.registry import service_actor
from platewarden.services import devices, frames
from platewarden.services.runtime import Runtime
from platewarden.store.schema import reads
from platewarden.vision.pipeline import default_recognizer
from tests.factories import CUSTODIAN, FixedClock
from tests.functional.api.conftest import Client
from tests.unit.vision.synthetic import make_scene


@pytest.fixture
def camera_token(runtime: Runtime) -> str:
    """The device token of camera cam-1."""
    return devices.add_device(runtime, CUSTODIAN, name="cam-1-unit", camera="cam-1")[1]


@pytest.fixture
def scene() -> tuple[bytes, str]:
    """A JPEG of a street scene with one plate, and the plate's text."""
    drawn = make_scene(np.random.default_rng(11))
    return cv2.imencode(".jpg", drawn.image)[1].tobytes(), drawn.text


def push(
    client: Client,
    token: str,
    image: bytes,
    runtime: Runtime,
    *,
    frame_id: str = "f-1",
    **extra: str,
) -> object:
    """POST a frame as a camera would."""
    params = {"frame_id": frame_id, "captured_at": runtime.clock.now().isoformat(), **extra}
    return client.post(
        "/api/v1/frames",
        params=params,
        content=image,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
    )


def stored_reads(runtime: Runtime) -> list[str]:
    """Return the plates stored."""
    with runtime.engine.connect() as conn:
        return sorted(conn.scalars(select(reads.c.plate)))


def test_a_frame_is_acknowledged_once_stored_and_its_plate_read_by_a_worker(
    runtime: Runtime, client: Client, camera_token: str, scene: tuple[bytes, str]
) -> None:
    image, text = scene
    first = push(client, camera_token, image, runtime)
    assert first.status_code == 202, first.text
    again = push(client, camera_token, image, runtime)
    assert again.json() == {"frame": first.json()["frame"], "duplicate": True}
    system = service_actor(runtime)
    assert frames.queue_depth(runtime, system) == 1
    taken = frames.take_frames(runtime, system)
    assert frames.read_frames(runtime, system, default_recognizer(), taken) == 1
    assert stored_reads(runtime) == [text]
    assert frames.queue_depth(runtime, system) == 0


def test_a_frame_whose_worker_died_is_read_again_and_stored_once(
    runtime: Runtime,
    clock: FixedClock,
    client: Client,
    camera_token: str,
    scene: tuple[bytes, str],
) -> None:
    image, text = scene
    push(client, camera_token, image, runtime)
    system = service_actor(runtime)
    lost = frames.take_frames(runtime, system)  # this worker is killed before it finishes
    assert frames.take_frames(runtime, system) == [], "a leased frame is no one else's"
    clock.advance(minutes=3)
    retried = frames.take_frames(runtime, system)
    assert [f.id for f in retried] == [f.id for f in lost] and retried[0].attempts == 2
    reader = default_recognizer()
    assert frames.read_frames(runtime, system, reader, retried) == 1
    assert frames.read_frames(runtime, system, reader, lost) == 0, "the late one stores nothing"
    assert stored_reads(runtime) == [text]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"", "image/jpeg", 415),
        (b"plain text, not a picture", "image/jpeg", 415),
        ("truncated", "image/jpeg", 415),
        ("scene", "text/plain", 415),
        (b"\xff\xd8" + b"0" * (11 * 2**20), "image/jpeg", 413),
    ],
    ids=["0 bytes", "not an image", "truncated JPEG", "wrong content type", "11 MB"],
)
def test_a_bad_frame_is_refused_with_its_status_and_nothing_queued(
    runtime: Runtime,
    client: Client,
    camera_token: str,
    scene: tuple[bytes, str],
    body: bytes | str,
    content_type: str,
    status: int,
) -> None:
    image = scene[0]
    data = image[: len(image) // 2] if body == "truncated" else image if body == "scene" else body
    answer = client.post(
        "/api/v1/frames",
        params={"frame_id": "f-1", "captured_at": runtime.clock.now().isoformat()},
        content=data,
        headers={"Authorization": f"Bearer {camera_token}", "Content-Type": content_type},
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert frames.queue_depth(runtime, service_actor(runtime)) == 0


@pytest.mark.parametrize(
    ("shift", "told"),
    [(timedelta(hours=1), "is in the future"), (timedelta(days=-3650), "older than the retention")],
    ids=["an hour ahead", "ten years ago"],
)
def test_a_frame_time_out_of_range_is_a_422_naming_it(
    runtime: Runtime,
    client: Client,
    camera_token: str,
    scene: tuple[bytes, str],
    shift: timedelta,
    told: str,
) -> None:
    when = (runtime.clock.now() + shift).isoformat()
    answer = client.post(
        "/api/v1/frames",
        params={"frame_id": "f-1", "captured_at": when},
        content=scene[0],
        headers={"Authorization": f"Bearer {camera_token}", "Content-Type": "image/jpeg"},
    )
    assert answer.status_code == 422
    assert told in answer.json()["problems"][0]["message"]


def test_a_full_queue_asks_the_camera_to_retry_and_keeps_nothing(
    runtime: Runtime,
    client: Client,
    camera_token: str,
    scene: tuple[bytes, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(frames, "QUEUE_LIMIT", 1)
    assert push(client, camera_token, scene[0], runtime).status_code == 202
    busy = push(client, camera_token, scene[0], runtime, frame_id="f-2")
    assert busy.status_code == 429
    assert busy.headers["retry-after"] == "5"
    assert frames.queue_depth(runtime, service_actor(runtime)) == 1


def test_a_source_device_and_a_revoked_camera_send_no_frames(
    runtime: Runtime, client: Client, camera_token: str, scene: tuple[bytes, str]
) -> None:
    feed = devices.add_device(runtime, CUSTODIAN, name="county", source="county")[1]
    assert push(client, feed, scene[0], runtime).status_code == 403
    devices.revoke_device(runtime, CUSTODIAN, name="cam-1-unit")
    assert push(client, camera_token, scene[0], runtime).status_code == 401
    with runtime.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(reads)) == 0
