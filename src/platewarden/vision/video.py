"""Read plates from a video file or stream, skipping frames to keep up with real time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from platewarden.vision.pipeline import Recognizer
from platewarden.vision.tracker import PlatePass, PlateTracker

VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".ts", ".mjpeg")


@dataclass
class VideoStats:
    """What happened while reading a video."""

    frames: int = 0
    processed: int = 0
    skipped: int = 0
    reconnects: int = 0
    fps: float = 0.0
    gave_up: bool = False  # a stream dropped and could not be reopened


def is_stream(source: str) -> bool:
    """Tell whether source is a network stream rather than a file."""
    return "://" in source


def _open(source: str) -> cv2.VideoCapture | None:
    cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        cap.release()
        return None
    return cap


def frames(
    source: str,
    stats: VideoStats,
    realtime: bool = True,
    retries: int = 5,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (frame index, frame); skip frames that real time has passed; reconnect streams."""
    cap = _open(source)
    attempt = 0
    while cap is None and is_stream(source) and attempt < retries:
        sleep(min(2.0**attempt, 30.0))
        attempt += 1
        cap = _open(source)
    if cap is None:
        raise OSError(f"cannot open video {source}")
    stats.fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    if not 1.0 <= stats.fps <= 240.0:
        stats.fps = 25.0
    start = time.monotonic()
    index = -1
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                cap.release()
                cap = None
                if not is_stream(source):
                    return
                while cap is None and attempt < retries:  # a dropped stream: back off and reopen
                    sleep(min(2.0**attempt, 30.0))
                    attempt += 1
                    stats.reconnects += 1
                    cap = _open(source)
                if cap is None:
                    stats.gave_up = True
                    return
                start = time.monotonic() - (index + 1) / stats.fps
                continue
            attempt = 0
            index += 1
            stats.frames += 1
            stats.processed += 1
            yield index, frame
            if realtime:  # drop the frames whose time has already passed
                due = int((time.monotonic() - start) * stats.fps)
                while index + 1 < due and cap.grab():
                    index += 1
                    stats.frames += 1
                    stats.skipped += 1
    finally:
        if cap is not None:
            cap.release()


def read_video(
    source: str,
    recognizer: Recognizer,
    stats: VideoStats,
    realtime: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[PlatePass]:
    """Yield one voted read per vehicle pass in the video (sleep waits between reconnections)."""
    tracker = None
    for index, frame in frames(source, stats, realtime, sleep=sleep):
        if tracker is None:  # the frame rate is known once the video is open
            tracker = PlateTracker(max_gap=max(3, int(stats.fps * 0.5)))
        yield from tracker.update(index, recognizer.recognize(frame))
    if tracker is not None:
        yield from tracker.flush()
