"""Capture: plates read in frames are stored with the frame and crop; bad frames are reported."""

from dataclasses import replace

import cv2
import numpy as np
from tests.factories import CAMERA_FEED, plate_image

from platewarden.services.capture import Frame, ingest_frames
from platewarden.services.runtime import Runtime
from platewarden.store.reads import find_reads
from platewarden.vision import PlateRead


class OnePlateReader:
    """Reads one plate in the middle of every frame, as the vision pipeline would report it."""

    def recognize(self, image: np.ndarray) -> list[PlateRead]:
        """Return one read with a crop of the frame's centre."""
        h, w = image.shape[:2]
        box = (w // 4, h // 4, w // 2, h // 2)
        crop = image[box[1] : box[1] + box[3], box[0] : box[0] + box[2]].copy()
        corners = [
            (box[0], box[1]),
            (box[0] + box[2], box[1]),
            (box[0] + box[2], box[1] + box[3]),
            (box[0], box[1] + box[3]),
        ]
        return [
            PlateRead(
                "ABC1234",
                0.91,
                [("ABC1234", 0.91), ("A8C1234", 0.05)],
                corners,
                box,
                crop,
                "MT",
                0.8,
            )
        ]


def test_frames_are_read_and_stored_with_their_images_once(runtime: Runtime) -> None:
    frames = [Frame(plate_image("ABC1234", (320, 180)), runtime.clock.now(), name="f1.jpg")]
    result = ingest_frames(runtime, CAMERA_FEED, OnePlateReader(), camera="cam-1", frames=frames)
    assert (result.plates, result.ingest.stored, result.problems) == (1, 1, [])
    again = ingest_frames(runtime, CAMERA_FEED, OnePlateReader(), camera="cam-1", frames=frames)
    assert (again.ingest.stored, again.ingest.duplicates) == (0, 1)
    with runtime.engine.connect() as conn:
        (read,) = find_reads(conn)
    assert (read.plate, read.jurisdiction, read.plate_box) == ("ABC1234", "MT", (80, 45, 160, 90))
    assert runtime.blobs.get(read.frame_blob) == frames[0].image
    crop = cv2.imdecode(
        np.frombuffer(runtime.blobs.get(read.crop_blob), np.uint8), cv2.IMREAD_COLOR
    )
    assert crop.shape[:2] == (90, 160)


def test_alternatives_are_stored_to_four_significant_digits(runtime: Runtime) -> None:
    class FullDigitsReader(OnePlateReader):
        def recognize(self, image: np.ndarray) -> list[PlateRead]:
            (read,) = super().recognize(image)
            # As the reader gives them: float32 probabilities printed in full.
            full = [("ABC1234", 0.9763759921417161), ("A8C1234", 0.012580006378318)]
            return [replace(read, alternatives=full)]

    frames = [Frame(plate_image("ABC1234", (320, 180)), runtime.clock.now(), name="f1.jpg")]
    ingest_frames(runtime, CAMERA_FEED, FullDigitsReader(), camera="cam-1", frames=frames)
    with runtime.engine.connect() as conn:
        (read,) = find_reads(conn)
    assert [(a.plate, a.confidence) for a in read.alternatives] == [
        ("ABC1234", 0.9764),
        ("A8C1234", 0.01258),
    ]


def test_a_bad_frame_is_reported_and_the_others_are_stored(runtime: Runtime) -> None:
    good = plate_image("ABC1234", (320, 180))
    frames = [
        Frame(b"", runtime.clock.now(), name="empty.jpg"),
        Frame(good[:-200], runtime.clock.now(), name="cut.jpg"),
        Frame(good, runtime.clock.now(), name="good.jpg"),
    ]
    result = ingest_frames(runtime, CAMERA_FEED, OnePlateReader(), camera="cam-1", frames=frames)
    assert [p.where for p in result.problems] == ["empty.jpg", "cut.jpg"]
    assert result.ingest.stored == 1
