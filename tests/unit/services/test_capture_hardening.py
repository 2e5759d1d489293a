"""Capture: the permission check comes first, and a bad frame never stops the batch."""

import struct
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.factories import CAMERA_FEED, OFFICER, plate_image
from tests.unit.services.test_capture import OnePlateReader

from platewarden.services.capture import Frame, ingest_frames, ingest_video
from platewarden.services.errors import AccessDeniedError
from platewarden.services.runtime import Runtime
from platewarden.vision import PlateRead
from platewarden.vision.pipeline import default_recognizer


class CountingReader(OnePlateReader):
    """Counts the images it is asked to read."""

    def __init__(self) -> None:
        self.calls = 0

    def recognize(self, image: np.ndarray) -> list[PlateRead]:
        """Count, then read one plate."""
        self.calls += 1
        return super().recognize(image)


class FailingReader(OnePlateReader):
    """Fails with an OpenCV error on square images, as the detector did on odd sizes."""

    def recognize(self, image: np.ndarray) -> list[PlateRead]:
        """Raise on a square image, else read one plate."""
        if image.shape[0] == image.shape[1]:
            raise cv2.error("resize.cpp: (-215:Assertion failed) inv_scale_x > 0")
        return super().recognize(image)


def tiny(w: int, h: int) -> bytes:
    return cv2.imencode(".png", np.full((h, w, 3), 128, np.uint8))[1].tobytes()


def huge_bmp() -> bytes:
    info = struct.pack("<IiiHHIIiiII", 40, 40_000, 40_000, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + info + bytes(16)


def test_a_member_who_may_not_ingest_is_refused_before_any_model_runs(runtime: Runtime) -> None:
    """The recognition models ran on every frame before ingest's permission check refused."""
    reader = CountingReader()
    frames = [Frame(plate_image("ABC1234", (320, 180)), runtime.clock.now(), name="f.jpg")]
    with pytest.raises(AccessDeniedError):
        ingest_frames(runtime, OFFICER, reader, camera="cam-1", frames=frames)
    assert reader.calls == 0


def test_tiny_and_huge_frames_are_reported_and_the_other_frames_stored(runtime: Runtime) -> None:
    """A 40000×40000 BMP stopped a 25-frame capture storing none; 1-pixel frames crashed it."""
    now = runtime.clock.now()
    bad = {"1x1.png": tiny(1, 1), "1x40.png": tiny(1, 40), "40x1.png": tiny(40, 1)}
    bad["huge.bmp"] = huge_bmp()
    good = [
        Frame(plate_image(f"ABC{n:04d}", (320, 180)), now, name=f"good{n}.jpg") for n in range(21)
    ]
    frames = [*good[:10], *(Frame(data, now, name=name) for name, data in bad.items()), *good[10:]]
    result = ingest_frames(runtime, CAMERA_FEED, OnePlateReader(), camera="cam-1", frames=frames)
    assert [p.where for p in result.problems] == list(bad)
    assert all("\n" not in p.message for p in result.problems)
    assert result.ingest.stored == 21


def test_a_frame_the_reader_fails_on_is_reported_and_the_others_stored(runtime: Runtime) -> None:
    """An OpenCV error inside the reader is one frame's problem, not the batch's."""
    now = runtime.clock.now()
    frames = [
        Frame(plate_image("ABC1234", (200, 200)), now, name="square.jpg"),
        Frame(plate_image("XYZ9876", (320, 180)), now, name="wide.jpg"),
    ]
    result = ingest_frames(runtime, CAMERA_FEED, FailingReader(), camera="cam-1", frames=frames)
    assert [str(p) for p in result.problems] == ["square.jpg: the plates could not be read"]
    assert result.ingest.stored == 1


def test_a_video_of_frames_too_thin_to_hold_a_plate_gives_no_pass_and_no_error(
    runtime: Runtime, tmp_path: Path
) -> None:
    """A 1-pixel-high frame passed the video reader and broke the detector's scaling."""
    clip = tmp_path / "thin.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 5, (320, 4))
    for _ in range(5):
        writer.write(np.full((4, 320, 3), 128, np.uint8))
    writer.release()
    done = ingest_video(
        runtime,
        CAMERA_FEED,
        default_recognizer(),
        camera="cam-1",
        source=str(clip),
        started_at=runtime.clock.now(),
    )
    assert (done.stats.frames, done.passes, done.stored) == (5, 0, 0)
