"""Ingest: store reads and their images, once, however often a batch is re-sent.

A batch is all or nothing: when any read in it is invalid, none is stored and every problem is
named. Reads already stored (same source and client read id) are counted as duplicates and skipped.
Every new read is matched against the hot lists in the same transaction, so no read is stored
without its alerts; the alerts are published after the commit.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np

from platewarden.domain import Actor, Alternative, NewRead, ReadSource, normalise_plate
from platewarden.policy.access import Action
from platewarden.policy.retention import retention_cutoff
from platewarden.quoting import CONTROL, quote
from platewarden.services.alerts import MatchableRead, publish, raise_alerts
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.runtime import Runtime
from platewarden.store.alternatives import alternatives_column, alternatives_from_column
from platewarden.store.cameras import camera_ids_by_name, fixed_positions, note_seen
from platewarden.store.reads import ReadKey, insert_reads, stored_keys
from platewarden.store.schema import reads as reads_table
from platewarden.store.schema import text_length

CLOCK_SKEW = timedelta(minutes=5)  # a camera's clock may run a little ahead of ours
MAX_PLATE_LENGTH = 10
MAX_ALTERNATIVES = 20  # the reader gives its top 5; more is not a plate reader's output
# What the reads table holds; a longer value must be refused here, not fail in the INSERT.
MAX_ID_LENGTH = text_length(reads_table.c.client_read_id)
MAX_SOURCE_LENGTH = text_length(reads_table.c.source_name)
MAX_JURISDICTION_LENGTH = text_length(reads_table.c.jurisdiction)
MAX_ALTERNATIVE_LENGTH = text_length(reads_table.c.plate)


@dataclass(frozen=True)
class IngestResult:
    """What a batch did: received, newly stored, and skipped as already stored."""

    received: int
    stored: int
    duplicates: int
    alerts: list[int] = field(default_factory=list)  # ids of the alerts the batch raised


def ingest_reads(
    rt: Runtime, actor: Actor, batch: Sequence[NewRead], *, any_capture_time: bool = False
) -> IngestResult:
    """Validate a batch of reads, store the new ones with their images, and skip re-sent ones.

    A read sent again comes with its capture time, and is looked for among the reads captured
    in the batch's time span. With `any_capture_time`, an id stored at another time counts as
    sent again too (an image captured again with another time), at the cost of a look in every
    day's partition on PostgreSQL.
    """
    authorize(rt, actor, Action.INGEST, parameters={"reads": len(batch)})
    now = rt.clock.now()
    with rt.engine.connect() as conn:
        cameras = camera_ids_by_name(conn)
        placed = fixed_positions(conn)
    problems = _validate(rt, batch, cameras, now)
    if problems:
        raise InvalidInputError(f"batch of {len(batch)} reads refused, nothing stored:", problems)

    fresh = [_placed(read, placed) for read in _not_yet_stored(rt, batch, any_capture_time)]
    rows = [_row(rt, read, cameras, now) for read in fresh]
    rt.partitions.ensure(rt.engine, {row["captured_at"].astimezone(UTC).date() for row in rows})
    with rt.engine.begin() as conn:
        inserted = insert_reads(conn, rows=rows)
        stored = len(inserted)
        note_seen(conn, seen=_newest_by_camera(fresh, cameras))
        alerts = raise_alerts(rt, conn, [_matchable(*new) for new in inserted]) if stored else []
        if any(read.source != ReadSource.CAMERA for read in fresh):
            # Reads from systems the department does not operate: keep who brought them in.
            sources = sorted({f"{r.source.value}:{r.source_name}" for r in fresh})
            record(
                conn,
                rt,
                actor,
                "import_reads",
                reason="reads from another system",
                parameters={"sources": sources, "received": len(batch)},
                result_count=stored,
            )
    publish(rt, alerts)
    return IngestResult(
        received=len(batch), stored=stored, duplicates=len(batch) - stored, alerts=alerts
    )


def _placed(read: NewRead, positions: dict[str, tuple[float, float]]) -> NewRead:
    """A fixed camera's read without a position of its own is where the camera stands."""
    if read.latitude is not None or read.camera not in positions:
        return read
    latitude, longitude = positions[read.camera]
    return replace(read, latitude=latitude, longitude=longitude)


def _matchable(read_id: int, row: dict[str, Any]) -> MatchableRead:
    """Return a row just stored, with its id, ready for hot-list matching."""
    return MatchableRead(
        id=read_id,
        plate=row["plate"],
        confidence=row["confidence"],
        jurisdiction=row["jurisdiction"],
        alternatives=alternatives_from_column(row["alternatives"]),
        captured_at=row["captured_at"],
    )


def _newest_by_camera(reads: Sequence[NewRead], cameras: dict[str, int]) -> dict[int, datetime]:
    """Return the newest capture time of each camera among the reads (by camera id)."""
    newest: dict[int, datetime] = {}
    for read in reads:
        if read.camera is not None:
            camera_id = cameras[read.camera]
            newest[camera_id] = max(newest.get(camera_id, read.captured_at), read.captured_at)
    return newest


def _not_yet_stored(rt: Runtime, batch: Sequence[NewRead], any_time: bool) -> list[NewRead]:
    """Drop reads whose identity is stored already or appears earlier in the batch."""
    if not batch:
        return []
    keys = [_key(read) for read in batch]
    with rt.engine.connect() as conn:
        seen = stored_keys(conn, keys=keys, captured=None if any_time else _span(batch))
    fresh: list[NewRead] = []
    for key, read in zip(keys, batch, strict=True):
        if key not in seen:
            seen.add(key)
            fresh.append(read)
    return fresh


def _key(read: NewRead) -> ReadKey:
    return (read.source.value, _source_name(read), read.client_read_id)


def _span(reads: Sequence[NewRead]) -> tuple[datetime, datetime]:
    return min(r.captured_at for r in reads), max(r.captured_at for r in reads)


def _source_name(read: NewRead) -> str:
    return read.source_name or read.camera or ""


def _row(rt: Runtime, read: NewRead, cameras: dict[str, int], now: datetime) -> dict[str, Any]:
    day = read.captured_at.astimezone(UTC).date()
    # Images are sealed before the row is written: a crash between leaves an unreferenced blob,
    # which a re-send finds again by its hash, never a read without its image.
    frame = rt.blobs.put(day, read.frame_image) if read.frame_image else None
    crop = rt.blobs.put(day, read.crop_image) if read.crop_image else None
    return {
        "source": read.source.value,
        "source_name": _source_name(read),
        "client_read_id": read.client_read_id,
        "camera_id": cameras.get(read.camera) if read.camera else None,
        "plate": normalise_plate(read.plate),
        "jurisdiction": read.jurisdiction.upper() if read.jurisdiction else None,
        "confidence": read.confidence,
        "alternatives": alternatives_column(
            Alternative(normalise_plate(a.plate), a.confidence) for a in read.alternatives
        ),
        "captured_at": read.captured_at,
        "ingested_at": now,
        "latitude": read.latitude,
        "longitude": read.longitude,
        "plate_box": list(read.plate_box) if read.plate_box else None,
        "frame_blob": frame,
        "crop_blob": crop,
    }


def _validate(
    rt: Runtime, batch: Sequence[NewRead], cameras: dict[str, int], now: datetime
) -> list[Problem]:
    cutoff = retention_cutoff(rt.policy, now)
    conflicts = conflicting_ids(batch)
    checked: dict[bytes, bool] = {}  # the reads of one frame share its image: decode it once

    def decodes(image: bytes) -> bool:
        if image not in checked:
            checked[image] = is_image(image)
        return checked[image]

    problems: list[Problem] = []
    for index, read in enumerate(batch):
        name = read.client_read_id if isinstance(read.client_read_id, str) else ""
        where = f"read {index + 1} ({quote(name) if name else 'no id'})"
        found = [*read_problems(read, cameras, now, cutoff, decodes), *conflicts.get(index, [])]
        problems.extend(Problem(where, m) for m in found)
    return problems


def check_reads(rt: Runtime, reads: Sequence[NewRead]) -> list[list[str]]:
    """Return each read's problems, as ingest would find them now, without storing anything."""
    now = rt.clock.now()
    cutoff = retention_cutoff(rt.policy, now)
    with rt.engine.connect() as conn:
        cameras = camera_ids_by_name(conn)
    conflicts = conflicting_ids(reads)
    return [
        [*read_problems(read, cameras, now, cutoff), *conflicts.get(index, [])]
        for index, read in enumerate(reads)
    ]


def conflicting_ids(reads: Sequence[NewRead]) -> dict[int, list[str]]:
    """Name the reads that share a source and client read id with a read of other content.

    The same read sent twice is a re-send and stored once; two different reads under one id
    would keep whichever came first and drop the other without a word, so both are refused.
    """
    first: dict[tuple[object, ...], NewRead] = {}
    clashing: set[tuple[object, ...]] = set()
    keys: list[tuple[object, ...] | None] = []
    for read in reads:
        texts = (read.client_read_id, read.source_name, read.camera or "")
        if not all(isinstance(text, str) for text in texts):
            keys.append(None)  # refused for its types already
            continue
        key = (read.source, _source_name(read), read.client_read_id)
        keys.append(key)
        held = first.setdefault(key, read)
        if held is not read and held != read:
            clashing.add(key)
    return {
        index: [f"read id {quote(key[2])} is given to reads of different content"]
        for index, key in enumerate(keys)
        if key in clashing
    }


def read_problems(
    read: NewRead,
    cameras: dict[str, int],
    now: datetime,
    cutoff: datetime,
    decodes: Callable[[bytes], bool] | None = None,
) -> list[str]:
    """Return what is wrong with one read (empty when it may be stored); `decodes` checks
    an image (is_image unless given)."""
    wrong_types = _type_problems(read)
    if wrong_types:  # the checks below rely on the types
        return wrong_types
    return [
        *_text_problems(read),
        *_identity_problems(read, cameras),
        *_time_problems(read, now, cutoff),
        *_place_problems(read),
        *_image_problems(read, decodes or is_image),
    ]


def _is_number(value: object) -> bool:
    """True for a finite int or float; a bool is not a number here."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _type_problems(read: NewRead) -> list[str]:
    """Name every field whose value is of the wrong type: refused, never converted."""
    problems = [
        f"{label} {quote(value)} is not text"
        for label, value, optional in (
            ("client read id", read.client_read_id, False),
            ("plate", read.plate, False),
            ("source name", read.source_name, False),
            ("camera", read.camera, True),
            ("jurisdiction", read.jurisdiction, True),
        )
        if not isinstance(value, str) and not (optional and value is None)
    ]
    problems += [
        f"{label} {quote(value)} is not a finite number"
        for label, value, optional in (
            ("confidence", read.confidence, False),
            ("latitude", read.latitude, True),
            ("longitude", read.longitude, True),
        )
        if not _is_number(value) and not (optional and value is None)
    ]
    if not isinstance(read.captured_at, datetime):
        problems.append(f"capture time {quote(read.captured_at)} is not a time")
    if not isinstance(read.alternatives, tuple | list) or len(read.alternatives) > MAX_ALTERNATIVES:
        problems.append(f"alternatives must be a list of at most {MAX_ALTERNATIVES}")
    elif not all(
        isinstance(a, Alternative) and isinstance(a.plate, str) and _is_number(a.confidence)
        for a in read.alternatives
    ):
        problems.append("an alternative is not a plate (text) and a confidence (a number)")
    if read.plate_box is not None and not (
        isinstance(read.plate_box, tuple | list) and all(_is_number(v) for v in read.plate_box)
    ):
        problems.append("plate box must be four non-negative numbers x, y, w, h")
    problems += [
        f"{label} is not image bytes"
        for label, image in (("frame image", read.frame_image), ("crop image", read.crop_image))
        if image is not None and not isinstance(image, bytes)
    ]
    return problems


def _text_problems(read: NewRead) -> list[str]:
    """Refuse control characters anywhere and text longer than the reads table holds."""
    texts = {
        "client read id": read.client_read_id,
        "plate": read.plate,
        "source name": read.source_name,
        "camera": read.camera or "",
        "jurisdiction": read.jurisdiction or "",
        **{f"alternative {n}": a.plate for n, a in enumerate(read.alternatives, start=1)},
    }
    problems = [
        f"{label} {quote(text)} has a control character"
        for label, text in texts.items()
        if CONTROL.search(text)
    ]
    for label, text, longest in (
        ("source name", read.source_name, MAX_SOURCE_LENGTH),
        ("jurisdiction", read.jurisdiction or "", MAX_JURISDICTION_LENGTH),
    ):
        if len(text) > longest:
            problems.append(f"{label} {quote(text)} is over {longest} characters")
    if any(len(normalise_plate(a.plate)) > MAX_ALTERNATIVE_LENGTH for a in read.alternatives):
        problems.append(f"an alternative plate is over {MAX_ALTERNATIVE_LENGTH} letters or digits")
    return problems


def _identity_problems(read: NewRead, cameras: dict[str, int]) -> list[str]:
    problems: list[str] = []
    if not read.client_read_id or len(read.client_read_id) > MAX_ID_LENGTH:
        problems.append(f"client read id must be 1–{MAX_ID_LENGTH} characters")
    plate = normalise_plate(read.plate)
    if not plate or len(plate) > MAX_PLATE_LENGTH:
        problems.append(
            f"plate {quote(read.plate)} must have 1–{MAX_PLATE_LENGTH} letters or digits"
        )
    if not 0.0 <= read.confidence <= 1.0:
        problems.append(f"confidence {read.confidence} is not between 0 and 1")
    if any(not 0.0 <= a.confidence <= 1.0 for a in read.alternatives):
        problems.append("an alternative's confidence is not between 0 and 1")
    if read.camera is not None and read.camera not in cameras:
        problems.append(f"unknown camera {quote(read.camera)}")
    if read.source == ReadSource.CAMERA and read.camera is None:
        problems.append("a read from the department's cameras must name its camera")
    if read.source != ReadSource.CAMERA and not read.source_name:
        problems.append("a read from another system must name its source")
    return problems


def _time_problems(read: NewRead, now: datetime, cutoff: datetime) -> list[str]:
    if read.captured_at.tzinfo is None:
        return ["capture time has no time zone"]
    try:
        read.captured_at.astimezone(UTC)  # 9999-12-31T23:59-14:00 is past the year 9999 in UTC
    except OverflowError:
        return [f"capture time {read.captured_at.isoformat()} is out of range"]
    if read.captured_at > now + CLOCK_SKEW:
        return [f"capture time {read.captured_at.isoformat()} is in the future"]
    if read.captured_at < cutoff:
        return [f"capture time {read.captured_at.isoformat()} is past the retention period"]
    return []


def _place_problems(read: NewRead) -> list[str]:
    problems: list[str] = []
    if (read.latitude is None) != (read.longitude is None):
        problems.append("position needs both latitude and longitude")
    elif (
        read.latitude is not None
        and read.longitude is not None
        and not (-90 <= read.latitude <= 90 and -180 <= read.longitude <= 180)
    ):
        problems.append("position is outside the range of latitude and longitude")
    if read.plate_box is not None and (len(read.plate_box) != 4 or min(read.plate_box) < 0):
        problems.append("plate box must be four non-negative numbers x, y, w, h")
    return problems


def _image_problems(read: NewRead, decodes: Callable[[bytes], bool]) -> list[str]:
    return [
        f"{label} is not a whole JPEG or PNG image"
        for label, image in (("frame image", read.frame_image), ("crop image", read.crop_image))
        if image is not None and not decodes(image)
    ]


def is_image(data: bytes) -> bool:
    """True when the bytes are a complete JPEG or PNG that decodes."""
    body = data.rstrip(b"\0")
    # A truncated JPEG still half-decodes; its missing end marker gives it away.
    complete_jpeg = body.startswith(b"\xff\xd8") and body.endswith(b"\xff\xd9")
    complete_png = body.startswith(b"\x89PNG\r\n\x1a\n") and body[-12:-4] == b"\0\0\0\0IEND"
    if not (complete_jpeg or complete_png):
        return False
    # A JPEG decoded at an eighth of its size reads all of its data, at a third less work.
    flag = cv2.IMREAD_REDUCED_GRAYSCALE_8 if complete_jpeg else cv2.IMREAD_UNCHANGED
    decoded = cv2.imdecode(np.frombuffer(body, np.uint8), flag)
    return decoded is not None and decoded.size > 0
