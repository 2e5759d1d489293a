"""Capture: read the plates in camera frames and ingest them with the frame and the plate crop.

A recognised text that cannot be a plate (longer than any plate) never becomes a read: it is
counted and logged. Ingest takes a batch whole or refuses it; capture stores every read of a
stream that ingest takes, so that one refused read never loses the others.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from platewarden.domain import Actor, Alternative, NewRead
from platewarden.policy.access import Action
from platewarden.quoting import quote
from platewarden.services.audit import authorize
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem
from platewarden.services.ingest import IngestResult, ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store.cameras import get_camera
from platewarden.vision import ImageError, PlateRead, decode_image
from platewarden.vision.plate_text import as_plate
from platewarden.vision.tracker import PlatePass, PlateTracker
from platewarden.vision.video import VideoStats, frames

log = logging.getLogger(__name__)


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
    """What the frames gave: plates read, what ingest stored, frames that were not images,
    reads ingest refused, and recognised texts dropped as no plate's."""

    frames: int
    plates: int
    ingest: IngestResult
    problems: list[Problem] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    dropped: int = 0


def check_camera(rt: Runtime, actor: Actor, *, camera: str) -> None:
    """Refuse a capture early: a member who may not ingest, or a camera not registered."""
    authorize(rt, actor, Action.INGEST, parameters={"camera": camera})
    with rt.engine.connect() as conn:
        known = get_camera(conn, name=camera) is not None
    if not known:
        raise NotFoundError(f"there is no camera {quote(camera)}: register it first")


def ingest_frames(
    rt: Runtime, actor: Actor, reader: PlateReader, *, camera: str, frames: Sequence[Frame]
) -> CaptureResult:
    """Read the plates of each frame and ingest them; a bad frame is reported, the rest go on."""
    # Before any frame is decoded or any model runs: a member who may not ingest gets nothing.
    authorize(rt, actor, Action.INGEST, parameters={"frames": len(frames), "camera": camera})
    reads: list[NewRead] = []
    problems: list[Problem] = []
    frame_of: dict[str, str] = {}  # client read id -> the frame's name, to name a refused read
    dropped = 0
    for frame in frames:
        try:
            image = decode_image(frame.image)
            found = reader.recognize(image)
            plates = _plates(found)
            dropped += len(found) - len(plates)
            stored_frame = _storable(frame.image, image)
            new = [_read(frame, plate, n, camera, stored_frame) for n, plate in enumerate(plates)]
        except ImageError as exc:
            problems.append(Problem(frame.name or frame.frame_id, str(exc)))
        except cv2.error:  # the reader failed on this image: the others still go on
            problems.append(Problem(frame.name or frame.frame_id, "the plates could not be read"))
        else:
            reads += new
            frame_of |= {read.client_read_id: frame.name or frame.frame_id for read in new}
    _log_dropped(dropped, camera)
    result, refused = _ingest_each_valid(
        rt, actor, reads, where=lambda read: frame_of[read.client_read_id]
    )
    return CaptureResult(len(frames), len(reads), result, problems, refused, dropped)


def _plates(found: list[PlateRead]) -> list[PlateRead]:
    """Keep the reads whose text can be a plate, each with only its plate-like alternatives."""
    return [plate for read in found if (plate := as_plate(read)) is not None]


def _log_dropped(dropped: int, camera: str) -> None:
    # The count only: a dropped text is still what a camera saw, and logs are not audited.
    if dropped:
        log.warning(
            "camera %s: %d recognised texts dropped, longer than any plate", camera, dropped
        )


def _ingest_each_valid(
    rt: Runtime, actor: Actor, reads: Sequence[NewRead], *, where: Callable[[NewRead], str]
) -> tuple[IngestResult, list[Problem]]:
    """Ingest a batch; when ingest refuses it, store each read it takes and name each refused."""
    if not reads:
        return IngestResult(0, 0, 0), []
    # A frame read again (the same image captured again, with another time) is stored once.
    try:
        return ingest_reads(rt, actor, reads, any_capture_time=True), []
    except InvalidInputError:
        pass
    # Rare (a camera clock far ahead, a read past retention): one read at a time, so that ingest
    # names the reads it refuses and stores all the others, each exactly once as ever.
    results: list[IngestResult] = []
    refused: list[Problem] = []
    for read in reads:
        try:
            results.append(ingest_reads(rt, actor, [read], any_capture_time=True))
        except InvalidInputError as exc:
            refused += [Problem(where(read), problem.message) for problem in exc.problems]
    taken = len(results)
    log.warning("ingest refused %d of a batch of %d reads", len(reads) - taken, len(reads))
    return _total(len(reads), results), refused


def _total(received: int, results: list[IngestResult]) -> IngestResult:
    return IngestResult(
        received=received,
        stored=sum(r.stored for r in results),
        duplicates=sum(r.duplicates for r in results),
        alerts=[alert for r in results for alert in r.alerts],
    )


def _alternatives(texts: Iterable[tuple[str, float]]) -> tuple[Alternative, ...]:
    """Return the reader's texts as alternatives, each probability to 4 significant digits.

    The reader computes them in float32; printed in full (16 to 19 digits) they were most of
    the room a stored read's alternatives take.
    """
    return tuple(Alternative(text, float(f"{min(1.0, p):.4g}")) for text, p in texts)


def _read(frame: Frame, plate: PlateRead, n: int, camera: str, stored_frame: bytes) -> NewRead:
    return NewRead(
        client_read_id=f"{frame.frame_id}#{n}",
        plate=plate.text,
        captured_at=frame.captured_at,
        confidence=min(1.0, max(0.0, plate.confidence)),
        camera=camera,
        jurisdiction=plate.jurisdiction,
        alternatives=_alternatives(plate.alternatives),
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


VIDEO_BATCH = 50  # passes per ingest batch: bounds the frames held in memory


@dataclass(frozen=True)
class VideoCapture:
    """What a video gave: passes stored, how many frames were read or skipped, the passes
    ingest refused, and the recognised texts dropped as no plate's."""

    passes: int
    stored: int
    alerts: int
    stats: VideoStats
    refused: list[Problem] = field(default_factory=list)
    dropped: int = 0


def ingest_video(
    rt: Runtime,
    actor: Actor,
    reader: PlateReader,
    *,
    camera: str,
    source: str,
    started_at: datetime,
    realtime: bool = False,
) -> VideoCapture:
    """Read a video or stream, follow each plate, and ingest one read per vehicle pass.

    Each pass is stored with the frame of its best read and that read's crop, at the time of
    that frame; a pass sent again (the same video and start time) stores nothing twice.
    """
    authorize(
        rt, actor, Action.INGEST, parameters={"camera": camera}
    )  # a stream URL may hold a password
    stats = VideoStats()
    tracker: PlateTracker | None = None
    shots: dict[int, tuple[int, bytes]] = {}  # id of a read -> (frame index, JPEG of the frame)
    pending: list[NewRead] = []
    results: list[IngestResult] = []
    refused: list[Problem] = []
    dropped = 0

    def store(batch: list[NewRead]) -> None:
        result, problems = _ingest_each_valid(
            rt, actor, batch, where=lambda read: read.client_read_id
        )
        results.append(result)
        refused.extend(problems)

    to_read = partial(
        _pass_read,
        name=Path(source).name if "://" not in source else source,
        camera=camera,
        started_at=started_at,
    )
    for index, frame in frames(source, stats, realtime):
        if tracker is None:  # the frame rate is known once the video is open
            tracker = PlateTracker(max_gap=max(3, int(stats.fps * 0.5)))
        try:
            recognised = reader.recognize(frame)
        except (ImageError, cv2.error):  # a damaged frame holds no plate; the video goes on
            recognised = []
        found = _plates(recognised)
        dropped += len(recognised) - len(found)
        if found:
            jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
            shots.update({id(read): (index, jpeg) for read in found})
        ended = tracker.update(index, found)
        pending += [to_read(p, shots, fps=stats.fps) for p in ended]
        if found or ended:  # keep only the frames that open tracks may still choose
            alive = {id(read) for track in tracker.tracks for read in track.reads}
            shots = {key: shot for key, shot in shots.items() if key in alive}
        if len(pending) >= VIDEO_BATCH:
            store(pending)
            pending = []
    if tracker is not None:
        pending += [to_read(p, shots, fps=stats.fps) for p in tracker.flush()]
    store(pending)
    _log_dropped(dropped, camera)
    return VideoCapture(
        passes=sum(r.received for r in results),
        stored=sum(r.stored for r in results),
        alerts=sum(len(r.alerts) for r in results),
        stats=stats,
        refused=refused,
        dropped=dropped,
    )


def _pass_read(
    plate_pass: PlatePass,
    shots: dict[int, tuple[int, bytes]],
    *,
    name: str,
    camera: str,
    started_at: datetime,
    fps: float,
) -> NewRead:
    index, jpeg = shots[id(plate_pass.best)]
    frame = Frame(jpeg, started_at + timedelta(seconds=index / fps))
    read = _read(frame, plate_pass.best, 0, camera, jpeg)
    return replace(
        read,
        client_read_id=f"{name}@{started_at.isoformat()}#{plate_pass.first_frame}",
        plate=plate_pass.text,
        confidence=min(1.0, plate_pass.confidence),
        alternatives=_alternatives(plate_pass.alternatives),
    )
