"""Benchmark recognition: speed per stage on 1280x720 frames, and accuracy on ../shared/data/plates.

Prints progress to stderr and JSON lines (../shared/BENCHMARKS.md) to stdout:
  python benchmarks/recognition.py            # speed, then accuracy where ../shared is present
  python benchmarks/recognition.py --speed    # speed only
Accuracy is reported on the held-out split (never trained on) and on the full folder separately.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from platewarden.vision import Recognizer, load_image
from platewarden.vision.evaluate import evaluate
from platewarden.vision.images import to_gray
from platewarden.vision.ocr import crop_box, read_plates
from platewarden.vision.pipeline import VIEW_MARGINS

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "plates"
SETS = ("us", "eu", "br", "us-crops")


def frames(count: int) -> list[np.ndarray]:
    """Give 1280x720 frames: the real US photos where present, else seeded synthetic scenes."""
    real = sorted((SHARED / "us").glob("*.jpg"))
    images = [load_image(p) for p in real[:count]]
    images = [cv2.resize(i, (1280, 720)) for i in images]
    rng = np.random.default_rng(0)
    while len(images) < count:
        images.append(cv2.resize(rng.integers(0, 255, (36, 64, 3), dtype=np.uint8), (1280, 720)))
    return images


def speed(recognizer: Recognizer, runs: int, count: int) -> dict:
    """Time the end-to-end read and each stage on count frames, runs times: the median of the
    runs' medians, the spread of their rates, and the p95 of every frame's end-to-end time."""
    images = frames(count)
    per_run = []
    every: list[float] = []
    # The OCR stage reads each plate's views with every OCR model the reader has (two since
    # round 10, MODEL_CARD.md).
    ocr_models = [m for m in (recognizer.ocr, recognizer.ocr_b) if m is not None]
    for _ in range(runs):
        detect, corners, check, ocr, total = [], [], [], [], []
        for image in images:
            t0 = time.perf_counter()
            gray = to_gray(image)
            found = recognizer.detector.detect(gray)
            t1 = time.perf_counter()
            recognizer.corners.find(gray, [d.box for d in found])
            t2 = time.perf_counter()
            if recognizer.check is not None:  # the plate check, where packaged (MODEL_CARD.md)
                recognizer.check.score(gray, [d.box for d in found])
            t2b = time.perf_counter()
            read_plates(
                ocr_models, [[crop_box(gray, d.box, m) for m in VIEW_MARGINS] for d in found]
            )
            t3 = time.perf_counter()
            recognizer.recognize(image)
            t4 = time.perf_counter()
            detect.append((t1 - t0) * 1000)
            corners.append((t2 - t1) * 1000)
            check.append((t2b - t2) * 1000)
            ocr.append((t3 - t2b) * 1000 / max(len(found), 1))
            total.append((t4 - t3) * 1000)
        per_run.append(tuple(statistics.median(v) for v in (total, detect, corners, check, ocr)))
        every += total
        print(f"run: median {per_run[-1][0]:.1f} ms per frame", file=sys.stderr)
    med = [statistics.median(v) for v in zip(*per_run, strict=True)]
    rates = sorted(1000 / r[0] for r in per_run)
    return {
        "benchmark": "recognition",
        "image": "1280x720",
        "images_per_s": round(1000 / med[0], 1),
        "median_ms": round(med[0], 1),
        "p95_ms": round(float(np.percentile(every, 95)), 1),
        "detect_ms": round(med[1], 1),
        "corners_ms": round(med[2], 1),
        "check_ms": round(med[3], 1),
        "ocr_ms": round(med[4], 1),
        "runs": runs,
        "spread": [round(rates[0], 1), round(rates[-1], 1)],
    }


def accuracy(recognizer: Recognizer) -> list[dict]:
    """Evaluate every shared set present, held-out split and full folder."""
    out = []
    for name in SETS:
        folder = SHARED / name
        if not (folder / "truth.jsonl").exists():
            continue
        for split in ("heldout", "all"):
            line = evaluate(folder, recognizer, split).as_json()
            line["misses"] = len(line["misses"])
            print(f"{name} {split}: top-1 {line['top1']:.3f}", file=sys.stderr)
            out.append(line)
    return out


def main() -> None:
    """Run the benchmarks and print JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--speed", action="store_true", help="measure speed only")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--frames", type=int, default=20)
    args = ap.parse_args()
    recognizer = Recognizer.load()
    lines = [speed(recognizer, args.runs, args.frames)]
    if not args.speed:
        if SHARED.exists():
            lines += accuracy(recognizer)
        else:
            print(f"skipping accuracy: {SHARED} is absent", file=sys.stderr)
    for line in lines:
        print(json.dumps(line))


if __name__ == "__main__":
    main()
