"""Score the state readers fold by fold: the OCR's head (before) and the state models (after).

Each us-crops row sits in training/grouped_cv.py's fold; the state model of fold K
(training/work/state_foldK.onnx, trained by train_state --fold K) never saw a row of fold K.
Two sets of rows are scored:

- heldout: the rows of grouped_cv's state figure, the held-out split's groups that no committed
  model trained on; the OCR head never saw them either, so before, after and the fusion of the
  two are all honest there;
- all: every us-crops row; honest for the state model alone (the OCR head trained on 70% of them).

A state is right when it is the row's own (a read below MIN_STATE_CONFIDENCE, or "not US", gives
none and counts as wrong), as `platewarden eval` scores it. JSON lines to stdout.

  python -m training.state_cv                 # the fold models in training/work
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from platewarden.vision.images import load_image, to_gray
from platewarden.vision.ocr import PlateOCR, crop_box, pick_state
from platewarden.vision.pipeline import CROP_VIEW_MARGINS, MODELS_DIR
from platewarden.vision.state import PlateState, fuse
from training.grouped_cv import (
    PLATES,
    committed_training_plates,
    fold_of,
    group_keys,
    groups_holding,
    load_rows,
    shrink,
)
from training.train_state import WORK

READERS = ("before", "model", "fused")
VIEW_READERS = ("model_views", "fused_views")


def main() -> None:
    """Read every us-crops row with the head, its fold's model and both; print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--models", type=Path, default=WORK, help="where state_foldK.onnx are")
    ap.add_argument(
        "--width",
        type=int,
        help="shrink each crop to this width first (as a parking-lot camera sees a plate: "
        "60-100 px), then compress it as JPEG at quality 60",
    )
    ap.add_argument(
        "--views",
        action="store_true",
        help="also read the state model on the OCR's three crops, their probabilities averaged "
        "(model_views, and fused with the head: fused_views)",
    )
    args = ap.parse_args()
    readers = READERS + VIEW_READERS if args.views else READERS
    rows = load_rows(PLATES)
    groups = group_keys(rows)
    seen = groups_holding(rows, groups, committed_training_plates(PLATES))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    ocr = PlateOCR(MODELS_DIR / "ocr.onnx", options)  # the committed OCR and its state head
    models = [PlateState(args.models / f"state_fold{k}.onnx", options) for k in range(args.folds)]
    right = {s: np.zeros((args.folds, len(readers)), int) for s in ("heldout", "all")}
    count = {s: np.zeros(args.folds, int) for s in ("heldout", "all")}
    times: dict[str, list[float]] = {"one": [], "views": []}
    for row, group in zip(rows, groups, strict=True):
        if row.source != "us-crops" or not row.truth.state:
            continue
        fold = fold_of(group, args.folds)
        image = load_image(row.truth.image)
        if args.width:
            image = shrink(image, args.width)
        gray = to_gray(image)  # the three crops read_crops gives the OCR
        views = [crop_box(gray, (0, 0, *gray.shape[::-1]), m) for m in CROP_VIEW_MARGINS]
        head = np.mean([v.states for v in ocr.decode(views)], axis=0)
        t0 = time.perf_counter()
        (model,) = models[fold].probs([image])
        times["one"].append((time.perf_counter() - t0) * 1000)
        reads = [head, model, fuse(model, head)]
        if args.views:
            colour = [crop_box(image, (0, 0, *image.shape[1::-1]), m) for m in CROP_VIEW_MARGINS]
            t0 = time.perf_counter()
            read = [p for p in models[fold].probs(colour) if p is not None]
            mean = np.mean(read, axis=0) if read else None
            times["views"].append((time.perf_counter() - t0) * 1000)
            reads += [mean, fuse(mean, head)]
        truth = row.truth.state.upper()
        hits = [p is not None and pick_state(p)[0] == truth for p in reads]
        for subset in ("all", "heldout") if group not in seen else ("all",):
            count[subset][fold] += 1
            right[subset][fold] += hits
    for subset in ("heldout", "all"):
        n = count[subset]
        for i, reader in enumerate(readers):
            r = right[subset][:, i]
            print(
                json.dumps(
                    {
                        "benchmark": "state_cv",
                        "width": args.width,
                        "rows": subset,
                        "reader": reader,
                        "images": int(n.sum()),
                        "right": int(r.sum()),
                        "state_accuracy": round(float(r.sum() / n.sum()), 4),
                        "per_fold": [round(float(a / b), 4) for a, b in zip(r, n, strict=True)],
                        "right_per_fold": [int(a) for a in r],
                        "images_per_fold": [int(b) for b in n],
                    }
                )
            )
    medians = {k: round(float(np.median(t)), 3) for k, t in times.items() if t}
    print(json.dumps({"benchmark": "state_cv", "state_model_median_ms": medians}))


if __name__ == "__main__":
    main()
