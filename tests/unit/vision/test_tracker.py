"""Video: tracks across frames, per-character votes, skipped frames and dropped streams."""

from pathlib import Path

import numpy as np
import pytest
from tests.unit.vision.synthetic import write_video

from platewarden.vision import PlateRead, Recognizer
from platewarden.vision.evaluate import edit_distance
from platewarden.vision.tracker import PlateTracker, vote
from platewarden.vision.video import VideoStats, frames, read_video


def _read(text: str, conf: float, x: int = 100) -> PlateRead:
    box = (x, 100, 120, 60)
    return PlateRead(
        text,
        conf,
        [(text, conf)],
        [(x, 100), (x + 120, 100), (x + 120, 160), (x, 160)],
        box,
        np.zeros((60, 120, 3), np.uint8),
    )


def test_vote_picks_each_character_by_weight() -> None:
    text, conf, alts = vote(
        [_read("ABC123", 0.9), _read("A8C123", 0.5), _read("ABC128", 0.6), _read("ABC12", 0.2)]
    )
    assert text == "ABC123"
    assert 0.0 < conf <= 0.9
    assert alts[0][0] == "ABC123"


def test_tracker_gives_one_pass_per_vehicle() -> None:
    tracker = PlateTracker(max_gap=3)
    passes = []
    for frame in range(8):
        passes += tracker.update(
            frame,
            [
                _read("ABC123" if frame != 4 else "A8C123", 0.8, 100 + 20 * frame),
                _read("XYZ789", 0.7, 900),
            ],
        )
    passes += tracker.update(20, [])
    assert sorted(p.text for p in passes) == ["ABC123", "XYZ789"]
    assert all(p.reads == 8 for p in passes)


def test_video_is_read_into_one_pass(tmp_path: Path, recognizer: Recognizer, scenes: list) -> None:
    path = tmp_path / "pass.avi"
    scene = scenes[4]
    write_video(path, scene)
    stats = VideoStats()
    passes = list(read_video(str(path), recognizer, stats, realtime=False))
    assert stats.frames == 8 and stats.skipped == 0
    assert len(passes) == 1
    assert edit_distance(passes[0].text, scene.text) <= 1


def test_dropped_stream_backs_off_then_stops() -> None:
    waits: list[float] = []
    with pytest.raises(OSError, match="cannot open"):
        list(frames("file:///no/such/stream.mp4", VideoStats(), retries=3, sleep=waits.append))
    assert waits == [1.0, 2.0, 4.0]
