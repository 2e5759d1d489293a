"""Score the recognizer on a labelled folder: detection, top-1, top-5, characters, speed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from platewarden.vision.dataset import Truth, load_truth
from platewarden.vision.detector import iou
from platewarden.vision.images import ImageError, load_image
from platewarden.vision.pipeline import PlateRead, Recognizer

IOU_HIT = 0.4


@dataclass
class Report:
    """The figures of one evaluation, in the shape of BENCHMARKS.md's eval line."""

    set: str
    split: str
    mode: str
    images: int = 0
    detected: int = 0
    top1: int = 0
    top5: int = 0
    char_score: float = 0.0
    states: int = 0
    states_right: int = 0
    times_ms: list[float] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        """Give the JSON line: fractions, milliseconds and the misses."""
        n = max(self.images, 1)
        t = np.array(self.times_ms) if self.times_ms else np.zeros(1)
        return {
            "benchmark": "eval",
            "set": self.set,
            "split": self.split,
            "mode": self.mode,
            "images": self.images,
            "detection_recall": round(self.detected / n, 4) if self.mode == "end-to-end" else None,
            "top1": round(self.top1 / n, 4),
            "top5": round(self.top5 / n, 4),
            "char_accuracy": round(self.char_score / n, 4),
            "jurisdiction_accuracy": round(self.states_right / self.states, 4)
            if self.states
            else None,
            "median_ms": round(float(np.median(t)), 1),
            "p95_ms": round(float(np.percentile(t, 95)), 1),
            "misses": self.misses,
        }


def edit_distance(a: str, b: str) -> int:
    """Count the insertions, deletions and substitutions between a and b."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def char_accuracy(read: str, truth: str) -> float:
    """Score a read against the truth: 1 - edit distance / length, at least 0."""
    return max(0.0, 1.0 - edit_distance(read, truth) / max(len(truth), 1))


def _score(report: Report, row: Truth, read: PlateRead | None, detected: bool) -> None:
    name, truth = row.image.name, row.plate
    if row.state:
        report.states += 1
        report.states_right += read is not None and read.jurisdiction == row.state.upper()
    text = read.text if read else ""
    alts = [a for a, _ in read.alternatives[:5]] if read else []
    report.detected += detected
    report.top1 += text == truth
    report.top5 += truth in alts
    report.char_score += char_accuracy(text, truth)
    if text != truth:
        report.misses.append(
            {
                "image": name,
                "truth": truth,
                "read": text,
                "detected": detected,
                "alternatives": alts,
            }
        )


def evaluate(folder: Path, recognizer: Recognizer, split: str = "all") -> Report:
    """Run the recognizer over folder's labelled images and score it."""
    rows = load_truth(folder, split)
    crops = bool(rows) and all(r.box is None for r in rows)
    report = Report(folder.name, split, "ocr" if crops else "end-to-end")
    score_rows(report, rows, recognizer)
    return report


def score_rows(report: Report, rows: list[Truth], recognizer: Recognizer) -> None:
    """Read each row's image and add its score to report (crops alone in "ocr" mode)."""
    for row in rows:
        report.images += 1
        t0 = time.perf_counter()
        try:
            image = load_image(row.image)
        except ImageError as exc:
            report.misses.append({"image": row.image.name, "truth": row.plate, "error": str(exc)})
            continue
        if report.mode == "ocr":
            read = recognizer.read_crops([image])[0]
            report.times_ms.append((time.perf_counter() - t0) * 1000)
            _score(report, row, read, True)
        elif row.box is None:
            report.misses.append({"image": row.image.name, "truth": row.plate, "error": "no box"})
        else:
            reads = recognizer.recognize(image)
            report.times_ms.append((time.perf_counter() - t0) * 1000)
            box = row.box
            best = max(reads, key=lambda r: iou(r.box, box), default=None)
            hit = best is not None and iou(best.box, box) > IOU_HIT
            _score(report, row, best if hit else None, hit)
