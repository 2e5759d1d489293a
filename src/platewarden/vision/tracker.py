"""Follow plates across video frames and vote per character into one read per vehicle pass."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from platewarden.vision.detector import iou
from platewarden.vision.pipeline import PlateRead


@dataclass(frozen=True)
class PlatePass:
    """One vehicle pass: the voted text and the best read of the track."""

    text: str
    confidence: float
    alternatives: list[tuple[str, float]]
    best: PlateRead
    first_frame: int
    last_frame: int
    reads: int


@dataclass
class Track:
    """The reads of one plate so far."""

    reads: list[PlateRead] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)

    @property
    def box(self) -> tuple[int, int, int, int]:
        """Give the last seen box."""
        return self.reads[-1].box


def vote(reads: list[PlateRead]) -> tuple[str, float, list[tuple[str, float]]]:
    """Vote per character among reads of the most common length, weighted by confidence."""
    lengths: defaultdict[int, float] = defaultdict(float)
    for r in reads:
        lengths[len(r.text)] += r.confidence
    length = max(lengths, key=lambda n: lengths[n])
    same = [r for r in reads if len(r.text) == length]
    chars, agreement = [], []
    for i in range(length):
        weights: defaultdict[str, float] = defaultdict(float)
        for r in same:
            weights[r.text[i]] += r.confidence
        ch, w = max(weights.items(), key=lambda kv: kv[1])
        chars.append(ch)
        agreement.append(w / max(sum(weights.values()), 1e-9))
    text = "".join(chars)
    best = max(r.confidence for r in same)
    confidence = best * min(agreement) if agreement else 0.0
    totals: defaultdict[str, float] = defaultdict(float)
    for r in reads:
        for alt, p in r.alternatives:
            totals[alt] += p / len(reads)
    others = sorted(
        ((t, p) for t, p in totals.items() if t != text), key=lambda kv: kv[1], reverse=True
    )
    alts = [(text, confidence), *others]
    return text, confidence, alts[:10]


class PlateTracker:
    """Associate each frame's reads with open tracks by box overlap and nearness."""

    def __init__(self, max_gap: int = 12, min_reads: int = 2) -> None:
        self.max_gap = max_gap
        self.min_reads = min_reads
        self.tracks: list[Track] = []

    def _match(self, read: PlateRead, free: list[Track]) -> Track | None:
        best, best_score = None, 0.0
        x, y, w, h = read.box
        for t in free:
            tx, ty, tw, th = t.box
            near = abs((x + w / 2) - (tx + tw / 2)) < 1.5 * max(w, tw) and abs(
                (y + h / 2) - (ty + th / 2)
            ) < 1.5 * max(h, th)
            score = (
                iou(read.box, t.box)
                + (0.5 if near else 0.0)
                + (0.5 if t.reads[-1].text == read.text else 0.0)
            )
            if (near or score > 0.1) and score > best_score:
                best, best_score = t, score
        return best

    def update(self, frame: int, reads: list[PlateRead]) -> list[PlatePass]:
        """Add one frame's reads; return the passes whose tracks have ended."""
        free = list(self.tracks)
        for read in sorted(reads, key=lambda r: r.confidence, reverse=True):
            track = self._match(read, free)
            if track is None:
                track = Track()
                self.tracks.append(track)
            else:
                free.remove(track)
            track.reads.append(read)
            track.frames.append(frame)
        ended = [t for t in self.tracks if frame - t.frames[-1] > self.max_gap]
        self.tracks = [t for t in self.tracks if t not in ended]
        return self._passes(ended)

    def flush(self) -> list[PlatePass]:
        """End every open track and return its pass."""
        ended, self.tracks = self.tracks, []
        return self._passes(ended)

    def _passes(self, tracks: list[Track]) -> list[PlatePass]:
        out = []
        for t in tracks:
            if len(t.reads) < self.min_reads:
                continue
            text, conf, alts = vote(t.reads)
            best = max(t.reads, key=lambda r: (r.text == text, r.confidence))
            out.append(PlatePass(text, conf, alts, best, t.frames[0], t.frames[-1], len(t.reads)))
        return out
