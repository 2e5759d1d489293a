"""Match a detector's box sizes to the committed detector's, as the OCR and corner model know them.

The OCR and the corner model were trained on crops cut around the committed detector's boxes. A
new detector whose boxes are a few percent narrower loses characters at the plate's edge (issue
16; training/README.md, "Detector round 5, boxes matched"). This measures the median width and
height of each detector's boxes as a share of the labelled plate's on the us, eu and br train
photos (the box overlapping the label best, IoU above 0.4) and writes a copy of the new detector
whose boxes are scaled to match: the log-size outputs' biases are shifted, so nothing else about
the boxes (their centres, scores) changes. The held-out split is not read.

    python -m training.box_sizes training/work/detector_r5.onnx training/work/detector_r5m.onnx
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from platewarden.vision.detector import iou
from platewarden.vision.pipeline import MODELS_DIR
from training.detection_eval import (
    DATA,
    IOU_HIT,
    PHOTO_SETS,
    labelled_photos,
    pipeline_boxes,
    recognizer_with,
)
from training.detection_sets import BoxedImage

# The detector's output channels that hold log width and log height (then dx, dy).
LOG_WIDTH, LOG_HEIGHT = 1, 2


def size_ratios(detector: Path, photos: list[BoxedImage]) -> tuple[float, float]:
    """Give the median width and height of detector's boxes over the labelled plates'."""
    recognizer = recognizer_with(detector)
    widths, heights = [], []
    for photo in photos:
        label = photo.boxes[0]
        boxes = pipeline_boxes(recognizer, photo.image, False)
        hits = [b for b in boxes if iou(b, label) > IOU_HIT]
        if hits:
            best = max(hits, key=lambda b: iou(b, label))
            widths.append(best[2] / label[2])
            heights.append(best[3] / label[3])
    if not widths:
        raise SystemExit(f"{detector}: no box overlaps a labelled plate; nothing to match")
    return float(np.median(widths)), float(np.median(heights))


def scaled_copy(source: Path, target: Path, width: float, height: float) -> None:
    """Write source's detector to target with its boxes width and height times as large."""
    model = onnx.load(str(source))
    head = [node for node in model.graph.node if node.op_type == "Conv"][-1]
    bias = next(i for i in model.graph.initializer if i.name == head.input[2])
    values = numpy_helper.to_array(bias).copy()
    values[LOG_WIDTH] += math.log(width)
    values[LOG_HEIGHT] += math.log(height)
    bias.CopyFrom(numpy_helper.from_array(values.astype(np.float32), bias.name))
    onnx.save(model, str(target))


def main() -> None:
    """Measure both detectors on the train photos, write the matched copy, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("detector", type=Path, help="the new detector's ONNX file")
    ap.add_argument("out", type=Path, help="where to write its matched copy")
    ap.add_argument("--reference", type=Path, default=MODELS_DIR / "detector.onnx")
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    root = args.data / "plates"
    photos = [p for name in PHOTO_SETS for p in labelled_photos(root, name, "train")]
    ref_w, ref_h = size_ratios(args.reference, photos)
    new_w, new_h = size_ratios(args.detector, photos)
    scaled_copy(args.detector, args.out, ref_w / new_w, ref_h / new_h)
    out_w, out_h = size_ratios(args.out, photos)
    print(
        f"{len(photos)} train photos; median box over the labelled plate, width / height: "
        f"reference {ref_w:.3f} / {ref_h:.3f}, new {new_w:.3f} / {new_h:.3f}, "
        f"scaled by {ref_w / new_w:.3f} / {ref_h / new_h:.3f}: {out_w:.3f} / {out_h:.3f}"
    )


if __name__ == "__main__":
    main()
