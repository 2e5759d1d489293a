"""Measure plate detection through the pipeline's detector (both passes) on held-out photos.

Sets: the held-out split of detection/es (every plate boxed: recall over every plate, by plate
height in the frame as measured, and false positives per image) as photos and as their dashcam,
night and tilted versions (training/detection_sets.py); and the held-out us, eu and br photos
(one plate labelled each: its recall). A plate is found when a box overlaps it with IoU above
0.4; a box that overlaps no plate so is a false positive.

    python -m training.detection_eval                       # the committed detector
    python -m training.detection_eval --detector training/work/detector_es.onnx
    python -m training.detection_eval --third-pass          # a pass at twice the scale, measured
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from platewarden.vision.dataset import load_truth
from platewarden.vision.detector import (
    THRESHOLD,
    PlateDetector,
    candidates,
    iou,
    suppress,
    to_input,
)
from platewarden.vision.images import to_gray
from platewarden.vision.pipeline import (
    CHECKSUMS,
    MODEL_FILES,
    MODELS_DIR,
    OPTIONAL_FILES,
    Recognizer,
    sha256,
)
from training.detection_sets import VARIANTS, BoxedImage, load_boxed

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IOU_HIT = 0.4
HEIGHT_BUCKETS = ((0, 12), (12, 20), (20, 40), (40, 100_000))
# Issue 16's dashcam target counts plates from about 12 px tall. The dashcam frames' plates under
# 12 px were 1-3 px tall in their 320x240 photos (scaled 3 times): no camera resolves those.
TARGET_HEIGHT = 12
PHOTO_SETS = ("us", "eu", "br")
# The third pass (measured here only) looks at the frame at twice the first pass's scale and
# keeps plates narrower than this there, the ones the first pass sees under 40 px wide.
THIRD_PASS_WIDEST = 80


@dataclass
class Figures:
    """Counts for one set: plates found (overall and by height), false positives, time."""

    set: str
    images: int = 0
    plates: int = 0
    found: int = 0
    false_positives: int = 0
    by_height: dict[str, list[int]] = field(default_factory=dict)
    times_ms: list[float] = field(default_factory=list)

    def as_json(self) -> dict:
        """Give the set's figures as one JSON object."""
        return {
            "set": self.set,
            "images": self.images,
            "plates": self.plates,
            "recall": round(self.found / max(self.plates, 1), 4),
            f"recall_from_{TARGET_HEIGHT}px": self.recall_from(TARGET_HEIGHT),
            "recall_by_height": {
                k: {"plates": n, "recall": round(hit / n, 4) if n else None}
                for k, (hit, n) in self.by_height.items()
            },
            "false_positives_per_image": round(self.false_positives / max(self.images, 1), 3),
            "median_ms": round(float(np.median(self.times_ms)), 1) if self.times_ms else None,
        }

    def recall_from(self, height: int) -> float | None:
        """The recall over the plates of the height buckets from height px up."""
        counts = [self.by_height[bucket(lo)] for lo, _ in HEIGHT_BUCKETS if lo >= height]
        plates = sum(n for _, n in counts)
        return round(sum(hit for hit, _ in counts) / plates, 4) if plates else None


def bucket(height: float) -> str:
    """Name the height bucket (px) a plate falls in."""
    for lo, hi in HEIGHT_BUCKETS:
        if lo <= height < hi:
            return (
                f"<{hi}"
                if lo == 0
                else (f">={lo}" if hi == HEIGHT_BUCKETS[-1][1] else f"{lo}-{hi}")
            )
    raise ValueError(height)


def recognizer_with(detector: Path | None, models: Path = MODELS_DIR) -> Recognizer:
    """Load the models of a folder (the package's), with the given detector file in place of
    its own."""
    if detector is None:
        return Recognizer.load(models, threads=1)
    folder = Path(tempfile.mkdtemp(prefix="platewarden-models-"))
    # The optional models too, where present, so that --reads compares detectors alone.
    optional = [name for name in OPTIONAL_FILES if (models / name).exists()]
    names = [*MODEL_FILES, *optional]
    for name in names:
        shutil.copy(models / name, folder / name)
    shutil.copy(detector, folder / "detector.onnx")
    (folder / CHECKSUMS).write_text("".join(f"{sha256(folder / name)}  {name}\n" for name in names))
    return Recognizer.load(folder, threads=1)


def pipeline_boxes(recognizer: Recognizer, image: np.ndarray, third_pass: bool) -> list[tuple]:
    """Find plates as Recognizer.recognize does (grey image, both passes); boxes in image pixels."""
    gray = to_gray(image)
    scale = gray.shape[1] / image.shape[1]
    found = recognizer.detector.detect(gray, THRESHOLD)
    if third_pass:
        found = suppress(found + _third_pass(recognizer.detector, gray))
    return [tuple(v / scale for v in d.box) for d in found]


def _third_pass(detector: PlateDetector, gray: np.ndarray) -> list:
    """Run the detector at twice the first pass's scale, keeping only narrow plates."""
    _, first = to_input(gray)
    k = 2 * first
    big = cv2.resize(
        gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    )
    x, _ = to_input(big, max(big.shape))
    (out,) = detector.session.run(None, {"image": x})
    return candidates(out[0], k, THRESHOLD, (0, THIRD_PASS_WIDEST))


def reader_boxes(recognizer: Recognizer, image: np.ndarray) -> list[tuple]:
    """Give the boxes of the plates the whole reader reports (the OCR's floor applied)."""
    return [r.box for r in recognizer.recognize(image)]


def score(figures: Figures, boxes: np.ndarray, found: list[tuple], every_plate: bool) -> None:
    """Add one image: which of its plates were found and, if every plate is boxed, the rest."""
    figures.images += 1
    for box in boxes:
        hit = any(iou(d, box) > IOU_HIT for d in found)
        figures.plates += 1
        figures.found += hit
        counts = figures.by_height.setdefault(bucket(box[3]), [0, 0])
        counts[0] += hit
        counts[1] += 1
    if every_plate:
        figures.false_positives += sum(all(iou(d, b) <= IOU_HIT for b in boxes) for d in found)


def measure(
    name: str,
    items: list[BoxedImage],
    find: Callable[[np.ndarray], list[tuple]],
    every_plate: bool,
) -> Figures:
    """Run find on every image of items and score it."""
    figures = Figures(name)
    figures.by_height = {bucket(lo): [0, 0] for lo, _ in HEIGHT_BUCKETS}
    for item in items:
        t0 = time.perf_counter()
        found = find(item.image)
        figures.times_ms.append((time.perf_counter() - t0) * 1000)
        score(figures, item.boxes, found, every_plate)
    return figures


def labelled_photos(root: Path, name: str, split: str) -> list[BoxedImage]:
    """Read a plates/ folder's photos with their one labelled box."""
    out = []
    for t in load_truth(root / name, split):
        image = cv2.imread(str(t.image), cv2.IMREAD_COLOR)
        if image is not None and t.box is not None:
            out.append(BoxedImage(t.image.name, image, np.array([t.box], float)))
    return out


def main() -> None:
    """Print one JSON line per set, and the summary table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--detector", type=Path, help="an ONNX detector to measure in place of the committed one"
    )
    ap.add_argument(
        "--models", type=Path, default=MODELS_DIR, help="a folder of models (the package's)"
    )
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--split", default="heldout", choices=("heldout", "train", "all"))
    ap.add_argument("--third-pass", action="store_true", help="add a pass at twice the scale")
    ap.add_argument(
        "--reads", action="store_true", help="score the reader's plates, not the detector's boxes"
    )
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = ap.parse_args()
    cv2.setNumThreads(1)
    recognizer = recognizer_with(args.detector, args.models)

    def find(image: np.ndarray) -> list[tuple]:
        if args.reads:
            return reader_boxes(recognizer, image)
        return pipeline_boxes(recognizer, image, args.third_pass)

    es = load_boxed(args.data / "detection" / "es", args.split)
    results = [
        measure(f"es {variant}", [VARIANTS[variant](item) for item in es], find, True)
        for variant in args.variants
    ]
    photos = [
        p for name in PHOTO_SETS for p in labelled_photos(args.data / "plates", name, args.split)
    ]
    results.append(measure("us+eu+br photos", photos, find, False))
    for r in results:
        print(json.dumps(r.as_json()), flush=True)
    heights = " | ".join(bucket(lo) for lo, _ in HEIGHT_BUCKETS)
    print(
        f"\n| set | images | plates | recall | {heights} | from {TARGET_HEIGHT} px "
        "| FP/image | ms |"
    )
    print("| --- " * (7 + len(HEIGHT_BUCKETS)) + "|")
    for r in results:
        j = r.as_json()
        cells = [
            f"{v['recall']:.1%} ({v['plates']})" if v["recall"] is not None else "—"
            for v in j["recall_by_height"].values()
        ]
        fp = f"{j['false_positives_per_image']:.2f}" if r.set.startswith("es") else "—"
        target = j[f"recall_from_{TARGET_HEIGHT}px"]
        print(
            f"| {r.set} | {j['images']} | {j['plates']} | {j['recall']:.1%} | {' | '.join(cells)} "
            f"| {f'{target:.1%}' if target is not None else '—'} | {fp} | {j['median_ms']} |"
        )


if __name__ == "__main__":
    main()
