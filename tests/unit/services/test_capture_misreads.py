"""Capture: a text no plate can have is never a read, and a refused read never loses the others."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.factories import CAMERA_FEED, plate_image

from platewarden.services.capture import Frame, VideoCapture, ingest_frames, ingest_video
from platewarden.services.runtime import Runtime
from platewarden.store.reads import find_reads
from platewarden.vision import PlateRead, decode_image

TOO_LONG = "040428064028"  # two plates read as one: 12 digits, and no plate has more than 10


def _key(image: np.ndarray) -> str:
    return hashlib.sha256(image.tobytes()).hexdigest()


@dataclass(frozen=True)
class Label:
    """What the reader reads for one plate."""

    text: str
    jurisdiction: str = "MT"
    alternatives: tuple[tuple[str, float], ...] = ()

    def read(self, image: np.ndarray, box: tuple[int, int, int, int]) -> PlateRead:
        """Return the plate read in a box of the image, as the OCR would report it."""
        x, y, w, h = box
        corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        alternatives = list(self.alternatives) or [(self.text, 0.9)]
        crop = image[y : y + h, x : x + w].copy()
        return PlateRead(self.text, 0.9, alternatives, corners, box, crop, self.jurisdiction, 0.8)


class LabelledReader:
    """Reads in each frame the plate it was told the frame shows."""

    def __init__(self, labels: dict[bytes, Label]) -> None:
        self.labels = {_key(decode_image(jpeg)): label for jpeg, label in labels.items()}

    def recognize(self, image: np.ndarray) -> list[PlateRead]:
        """Return the frame's one plate, in the middle of the frame."""
        h, w = image.shape[:2]
        return [self.labels[_key(image)].read(image, (w // 4, h // 4, w // 2, h // 2))]


def _stored_plates(runtime: Runtime) -> list[str]:
    with runtime.engine.connect() as conn:
        return sorted(read.plate for read in find_reads(conn))


def test_a_text_longer_than_a_plate_is_dropped_and_the_other_24_frames_stored(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """One frame read as 12 digits made ingest refuse its whole batch of 25: 24 reads lost."""
    now = runtime.clock.now()
    good = {plate_image(f"ABC{n:04d}", (320, 180)): Label(f"ABC{n:04d}") for n in range(24)}
    long_one = plate_image(TOO_LONG, (320, 180))
    reader = LabelledReader({**good, long_one: Label(TOO_LONG)})
    frames = [Frame(jpeg, now, name=f"f{n}.jpg") for n, jpeg in enumerate(good)]
    frames.insert(12, Frame(long_one, now, name="long.jpg"))
    with caplog.at_level(logging.WARNING, logger="platewarden.services.capture"):
        result = ingest_frames(runtime, CAMERA_FEED, reader, camera="cam-1", frames=frames)
    assert (result.frames, result.plates, result.dropped) == (25, 24, 1)
    assert (result.problems, result.refused, result.ingest.stored) == ([], [], 24)
    assert _stored_plates(runtime) == sorted(f"ABC{n:04d}" for n in range(24))
    assert "1 recognised texts dropped" in caplog.text
    assert TOO_LONG not in caplog.text  # the log says how many, never what the camera saw


def test_an_alternative_longer_than_a_plate_is_left_out_of_the_stored_read(
    runtime: Runtime,
) -> None:
    jpeg = plate_image("ABC1234", (320, 180))
    alternatives = (("ABC1234", 0.8), ("ABC12340428064", 0.15), ("A8C1234", 0.05))
    reader = LabelledReader({jpeg: Label("ABC1234", alternatives=alternatives)})
    frames = [Frame(jpeg, runtime.clock.now(), name="f.jpg")]
    result = ingest_frames(runtime, CAMERA_FEED, reader, camera="cam-1", frames=frames)
    assert (result.ingest.stored, result.dropped) == (1, 0)
    with runtime.engine.connect() as conn:
        (read,) = find_reads(conn)
    assert [a.plate for a in read.alternatives] == ["ABC1234", "A8C1234"]


def test_a_read_ingest_refuses_is_named_and_the_other_reads_of_its_batch_are_stored_once(
    runtime: Runtime,
) -> None:
    """A read ingest refuses for a reason capture cannot know lost its batch's other reads."""
    now = runtime.clock.now()
    good = {plate_image(f"XYZ{n:04d}", (320, 180)): Label(f"XYZ{n:04d}") for n in range(5)}
    odd_state = plate_image("JUR0001", (320, 180))
    ahead = plate_image("FUT0001", (320, 180))
    reader = LabelledReader(
        {
            **good,
            odd_state: Label("JUR0001", jurisdiction="MONTANA-STATE"),
            ahead: Label("FUT0001"),
        }
    )
    frames = [Frame(jpeg, now, name=f"g{n}.jpg") for n, jpeg in enumerate(good)]
    frames += [Frame(odd_state, now, name="state.jpg")]
    frames += [Frame(ahead, now + timedelta(days=1), name="ahead.jpg")]
    result = ingest_frames(runtime, CAMERA_FEED, reader, camera="cam-1", frames=frames)
    assert [p.where for p in result.refused] == ["state.jpg", "ahead.jpg"]
    assert "jurisdiction" in result.refused[0].message
    assert "in the future" in result.refused[1].message
    assert (result.ingest.received, result.ingest.stored, result.problems) == (7, 5, [])
    again = ingest_frames(runtime, CAMERA_FEED, reader, camera="cam-1", frames=frames)
    assert (again.ingest.stored, again.ingest.duplicates, len(again.refused)) == (0, 5, 2)
    assert _stored_plates(runtime) == sorted(f"XYZ{n:04d}" for n in range(5))


class PlatesReader:
    """Reads the same plates in every frame of a video, each at its place."""

    def __init__(self, *plates: Label) -> None:
        self.plates = plates

    def recognize(self, image: np.ndarray) -> list[PlateRead]:
        """Return the plates, each in its own box along the frame."""
        return [
            label.read(image, (10 + 100 * n, 60, 90, 40)) for n, label in enumerate(self.plates)
        ]


def _capture_video(runtime: Runtime, reader: PlatesReader, path: Path) -> VideoCapture:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (320, 180))
    for _ in range(6):
        writer.write(np.full((180, 320, 3), 200, np.uint8))
    writer.release()
    return ingest_video(
        runtime,
        CAMERA_FEED,
        reader,
        camera="cam-1",
        source=str(path),
        started_at=runtime.clock.now(),
    )


def test_a_video_drops_the_texts_longer_than_a_plate_and_stores_the_other_pass(
    runtime: Runtime, tmp_path: Path
) -> None:
    reader = PlatesReader(Label(TOO_LONG), Label("ABC1234"))
    done = _capture_video(runtime, reader, tmp_path / "clip.avi")
    assert (done.stats.frames, done.dropped, done.passes, done.stored) == (6, 6, 1, 1)
    assert done.refused == []
    assert _stored_plates(runtime) == ["ABC1234"]


def test_a_video_pass_ingest_refuses_is_named_and_the_other_passes_are_stored(
    runtime: Runtime, tmp_path: Path
) -> None:
    """A refused pass made ingest refuse the stream's batch of 50 passes and stopped the video."""
    reader = PlatesReader(Label("JUR0001", jurisdiction="MONTANA-STATE"), Label("ABC1234"))
    done = _capture_video(runtime, reader, tmp_path / "clip.avi")
    assert (done.passes, done.stored, len(done.refused)) == (2, 1, 1)
    assert "clip.avi@" in done.refused[0].where and "jurisdiction" in done.refused[0].message
    assert _stored_plates(runtime) == ["ABC1234"]
