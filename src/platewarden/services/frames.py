"""Camera frames through the server: queued durably, read by workers, stored once.

A frame is acknowledged only once it is stored, encrypted, in the queue, so a camera told so
never loses it; one the camera sends again (the same frame id) while it waits is stored once.
Workers take frames under a lease and store their reads through capture and ingest, whose read
ids come from the frame's content: a frame read again after its worker died stores each read
once. A frame leaves the queue only after its reads are stored.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from platewarden.domain import Actor
from platewarden.policy.access import Action
from platewarden.quoting import CONTROL, quote
from platewarden.services.audit import authorize
from platewarden.services.capture import Frame, PlateReader, ingest_frames
from platewarden.services.devices import DeviceActor
from platewarden.services.errors import AccessDeniedError, InvalidInputError, Problem, ServiceError
from platewarden.services.ingest import CLOCK_SKEW, is_image
from platewarden.services.runtime import Runtime
from platewarden.store import frames as store
from platewarden.store.cameras import note_seen
from platewarden.store.frames import QueuedFrame
from platewarden.store.reads import blobs_in_use

MAX_FRAME_BYTES = 10 * 2**20  # a camera's JPEG is a few hundred KB
QUEUE_LIMIT = 2000  # frames waiting; beyond it a camera is asked to retry, never dropped
LEASE = timedelta(minutes=2)  # a worker that holds a frame longer is taken for dead


class NotAnImageError(InvalidInputError):
    """The frame's body is no complete JPEG or PNG."""


class QueueFullError(ServiceError):
    """The queue is over its limit: the camera should send the frame again later."""

    retry_after_s = 5


@dataclass(frozen=True)
class FrameReceipt:
    """A frame in the queue: its id, and whether it was there already (a re-send)."""

    frame_id: int
    duplicate: bool


def receive_frame(
    rt: Runtime,
    device: DeviceActor,
    *,
    image: bytes,
    client_frame_id: str,
    captured_at: datetime,
    latitude: float | None = None,
    longitude: float | None = None,
    heading: float | None = None,
) -> FrameReceipt:
    """Queue a camera's frame, stored encrypted before this returns."""
    authorize(rt, device.actor, Action.INGEST, parameters={"frame": client_frame_id[:100]})
    if device.device.camera is None:
        raise AccessDeniedError(f"{device.actor.name} sends reads, not frames: it has no camera")
    now = rt.clock.now()
    problems = _frame_problems(
        rt,
        image=image,
        client_frame_id=client_frame_id,
        captured_at=captured_at,
        now=now,
        place=(latitude, longitude, heading),
    )
    if any(p.where == "image" for p in problems):
        raise NotAnImageError("frame refused:", problems)
    if problems:
        raise InvalidInputError("frame refused:", problems)
    with rt.engine.connect() as conn:
        queued = store.frame_by_client_id(
            conn, device_id=device.device.id, client_frame_id=client_frame_id
        )
        if queued is not None:
            return FrameReceipt(queued, True)
        if store.queue_depth(conn) >= QUEUE_LIMIT:
            raise QueueFullError(f"the frame queue holds {QUEUE_LIMIT} frames: send it again")
    # Stored before the row that points to it (the store keeps its own day key, in its own
    # transaction); the same image stored twice is one file.
    blob_id = rt.blobs.put(captured_at.astimezone(UTC).date(), image)
    try:
        with rt.engine.begin() as conn:
            frame_id = store.add_frame(
                conn,
                values={
                    "device_id": device.device.id,
                    "camera_id": _camera_id(device),
                    "client_frame_id": client_frame_id,
                    "blob_id": blob_id,
                    "captured_at": captured_at,
                    "latitude": latitude,
                    "longitude": longitude,
                    "heading": heading,
                    "received_at": now,
                },
            )
            note_seen(conn, seen={_camera_id(device): captured_at})
    except IntegrityError:  # the same frame, sent again at the same moment
        with rt.engine.connect() as conn:
            queued = store.frame_by_client_id(
                conn, device_id=device.device.id, client_frame_id=client_frame_id
            )
        if queued is None:
            raise
        return FrameReceipt(queued, True)
    return FrameReceipt(frame_id, False)


def take_frames(rt: Runtime, actor: Actor, *, limit: int = 8) -> list[QueuedFrame]:
    """Lease up to `limit` frames to read (the system's workers only)."""
    authorize(rt, actor, Action.INGEST, parameters={"take": limit})
    now = rt.clock.now()
    with rt.engine.begin() as conn:
        return store.lease_frames(conn, now=now, until=now + LEASE, limit=limit)


def read_frames(rt: Runtime, actor: Actor, reader: PlateReader, taken: list[QueuedFrame]) -> int:
    """Read leased frames one at a time: store a frame's reads, then take it off the queue;
    return the reads stored."""
    authorize(rt, actor, Action.INGEST, parameters={"frames": len(taken)})
    stored = 0
    for queued in taken:  # one at a time: no frame's alert waits for the frames after it
        frame = Frame(
            rt.blobs.get(queued.blob_id),
            queued.captured_at,
            name=f"frame {queued.id}",
            latitude=queued.latitude,
            longitude=queued.longitude,
        )
        result = ingest_frames(rt, actor, reader, camera=queued.camera, frames=[frame])
        stored += result.ingest.stored
        _dequeue(rt, queued)
    return stored


def _dequeue(rt: Runtime, queued: QueuedFrame) -> None:
    """Take a read frame off the queue; its image goes unless a read or a queued frame has it."""
    with rt.engine.begin() as conn:
        store.remove_frames(conn, ids=[queued.id])
        blob = {queued.blob_id}
        kept = blobs_in_use(conn, blob_ids=blob) or store.queued_blobs(conn, blob_ids=blob)
    if not kept:  # a frame with no plate keeps no image
        rt.blobs.delete(queued.blob_id)


def queue_depth(rt: Runtime, actor: Actor) -> int:
    """Count the frames waiting or being read."""
    authorize(rt, actor, Action.INGEST)
    with rt.engine.connect() as conn:
        return store.queue_depth(conn)


def _frame_problems(
    rt: Runtime,
    *,
    image: bytes,
    client_frame_id: str,
    captured_at: datetime,
    now: datetime,
    place: tuple[float | None, float | None, float | None],
) -> list[Problem]:
    problems = []
    if not 1 <= len(client_frame_id) <= 100 or CONTROL.search(client_frame_id):
        problems.append(
            Problem("frame_id", f"{quote(client_frame_id)} must be 1–100 printable characters")
        )
    if captured_at.tzinfo is None:
        problems.append(Problem("captured_at", "give a time zone (Z or +hh:mm)"))
    elif captured_at > now + CLOCK_SKEW:
        problems.append(Problem("captured_at", f"{captured_at.isoformat()} is in the future"))
    elif captured_at < now - timedelta(days=rt.policy.retention.days):
        problems.append(Problem("captured_at", "is older than the retention period"))
    latitude, longitude, heading = place
    for name, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if value is not None and not -bound <= value <= bound:
            problems.append(Problem(name, f"{value} is outside ±{bound}"))
    if heading is not None and not 0 <= heading < 360:
        problems.append(Problem("heading", f"{heading} is not 0 to 360 degrees"))
    if not image:
        problems.append(Problem("image", "is empty"))
    elif not is_image(image):
        problems.append(Problem("image", "is not a complete JPEG or PNG"))
    return problems


def _camera_id(device: DeviceActor) -> int:
    assert device.device.camera_id is not None
    return device.device.camera_id
