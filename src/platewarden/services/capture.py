"""Capture: read the plates in camera frames and ingest them with the frame and the plate crop."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import cv2
import numpy as np

from platewarden.domain import Actor, Alternative, NewRead
from platewarden.services.errors import Problem
from platewarden.services.ingest import IngestResult, ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.vision import ImageError, PlateRead, decode_image


class PlateReader(Protocol):
    """Finds and reads plates in an image (the vision pipeline, or a small one in tests)."""

    def recognize(self, image: np.ndarray) -> list[PlateRead]:
        """Return the plates read in a BGR or grayscale image."""
        ...


@dataclass(frozen=True)
class Frame:
    """One image from a camera, with when and where it was taken."""

    image: bytes
    captured_at: datetime
    name: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @property
    def frame_id(self) -> str:
        """Identify the frame by its content, so that sending it again stores nothing twice."""
        return hashlib.sha256(self.image).hexdigest()[:24]


@dataclass(frozen=True)
class CaptureResult:
    """What the frames gave: plates read, what ingest stored, and frames that were not images."""

    frames: int
    plates: int
    ingest: IngestResult
    problems: list[Problem] = field(default_factory=list)


def ingest_frames(
    rt: Runtime, actor: Actor, reader: PlateReader, *, camera: str, frames: Sequence[Frame]
) -> CaptureResult:
    """Read the plates of each frame and ingest them; a bad frame is reported, the rest go on."""
    reads: list[NewRead] = []
    problems: list[Problem] = []
    for frame in frames:
        try:
            image = decode_image(frame.image)
        except ImageError as exc:
            problems.append(Problem(frame.name or frame.frame_id, str(exc)))
            continue
        stored_frame = _storable(frame.image, image)
        for n, plate in enumerate(reader.recognize(image)):
            reads.append(_read(frame, plate, n, camera, stored_frame))
    result = ingest_reads(rt, actor, reads) if reads else IngestResult(0, 0, 0)
    return CaptureResult(len(frames), len(reads), result, problems)


def _read(frame: Frame, plate: PlateRead, n: int, camera: str, stored_frame: bytes) -> NewRead:
    return NewRead(
        client_read_id=f"{frame.frame_id}#{n}",
        plate=plate.text,
        captured_at=frame.captured_at,
        confidence=min(1.0, max(0.0, plate.confidence)),
        camera=camera,
        jurisdiction=plate.jurisdiction,
        alternatives=tuple(Alternative(text, min(1.0, conf)) for text, conf in plate.alternatives),
        latitude=frame.latitude,
        longitude=frame.longitude,
        plate_box=plate.box,
        frame_image=stored_frame,
        crop_image=cv2.imencode(".png", plate.crop)[1].tobytes(),
    )


def _storable(original: bytes, image: np.ndarray) -> bytes:
    """Keep a JPEG or PNG frame as it came; re-encode other formats as JPEG."""
    if original.startswith((b"\xff\xd8", b"\x89PNG")):
        return original
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
