"""Score the state prior (platewarden.vision.state_prior) on the held-out us-crops rows.

Each of the 211 rows of grouped_cv's state figure (no committed model saw them; `--rows others`:
the other 535, honest for the state model alone, `--reader model`) is read as the pipeline reads
a crop: both OCR models' state heads averaged over the three views, fused with
the state model of the row's fold (training/work/state_foldK.onnx, which never saw the row).
With `--ocr-folds DIR` the head is the row's fold's OCR model instead (DIR/ocr_foldK.onnx, from
`train_ocr --exclude-fold K`), so that `--rows all` (all 746) is honest for the fused reader too.
Its state is picked without the prior and with it, and scored three ways (training/README.md,
"Where plates come from"). With `--patterns`, each reader is also scored with the pattern of the
row's read text weighing the states (training.state_patterns), counted from the labels
of the us-crops rows outside the row's fold (training/README.md, "The serial's pattern"):

- rows_alike: every row counts one, region "any";
- by_population: each row weighs its state's population over its state's number of rows,
  region "any";
- home: for each state X with rows, 0.75 x the accuracy on X's rows plus 0.25 x the
  by-population accuracy on the others, all read with region "us-x"; the mean over X.

JSON lines to stdout.

  python -m training.state_prior_cv [--width 64] [--rows others --reader model] [--models DIR ...]
      [--ocr-folds DIR --rows all] [--patterns]
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import onnxruntime as ort

from platewarden.vision.images import load_image, to_gray
from platewarden.vision.ocr import STATES, PlateOCR, combine, crop_box, pick_state
from platewarden.vision.pipeline import CROP_VIEW_MARGINS, MODELS_DIR, SECOND_OCR
from platewarden.vision.state import PlateState, fuse
from platewarden.vision.state_prior import (
    HOME_SHARE,
    population_prior,
    populations,
    weigh,
    weigh_states,
)
from training.grouped_cv import (
    PLATES,
    committed_training_plates,
    fold_of,
    group_keys,
    groups_holding,
    load_rows,
    shrink,
)
from training.state_patterns import PatternCounts
from training.train_state import WORK


@dataclass(frozen=True)
class Scored:
    """One held-out row: its state, its fold, its fused state probabilities (no prior) and the
    text read."""

    state: str
    fold: int
    probs: np.ndarray
    text: str


def held_out_rows(
    folds: int,
    width: int | None,
    subset: str,
    reader: str,
    *,
    folders: tuple[Path, ...] = (WORK,),
    ocr_folds: Path | None = None,
) -> list[Scored]:
    """Read the us-crops rows of subset ("heldout": grouped_cv's 211; "others": the rest; "all")
    with reader ("fused", as the pipeline does; "model": the fold's state model alone). With
    several folders the fold's models in them are one state model: their probabilities' mean.
    The OCR head is the committed models' or, with ocr_folds, the fold's own OCR model
    (ocr_foldK.onnx, trained by train_ocr --exclude-fold K), which never saw the row."""
    rows = load_rows(PLATES)
    groups = group_keys(rows)
    seen = groups_holding(rows, groups, committed_training_plates(PLATES))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    if ocr_folds:
        heads = [[PlateOCR(ocr_folds / f"ocr_fold{k}.onnx", options)] for k in range(folds)]
    else:
        pair = [PlateOCR(MODELS_DIR / name, options) for name in ("ocr.onnx", SECOND_OCR)]
        heads = [pair] * folds
    models = [
        [PlateState(folder / f"state_fold{k}.onnx", options) for folder in folders]
        for k in range(folds)
    ]
    out = []
    for row, group in zip(rows, groups, strict=True):
        if row.source != "us-crops" or not row.truth.state:
            continue
        if subset != "all" and (group in seen) != (subset == "others"):
            continue
        fold = fold_of(group, folds)
        image = load_image(row.truth.image)
        if width:
            image = shrink(image, width)
        gray = to_gray(image)
        views = [crop_box(gray, (0, 0, *gray.shape[::-1]), m) for m in CROP_VIEW_MARGINS]
        decoded = [v for ocr in heads[fold] for v in ocr.decode(views)]
        head = np.mean([v.states for v in decoded], axis=0)
        model = mean_probs([m.probs([image])[0] for m in models[fold]])
        if reader == "fused":
            probs = fuse(model, head)
        else:  # a crop the model cannot read gets no state: "not US"
            probs = model if model is not None else np.eye(len(STATES))[0]
        out.append(Scored(row.truth.state.lower(), fold, probs, combine(decoded).text))
    return out


def fold_pattern_counts(folds: int) -> list[PatternCounts]:
    """Count, for each fold, the patterns of the labelled us-crops plates outside it."""
    rows = load_rows(PLATES)
    labelled = [
        (fold_of(group, folds), row.truth.state.lower(), row.truth.plate)
        for row, group in zip(rows, group_keys(rows), strict=True)
        if row.source == "us-crops" and row.truth.state
    ]
    return [
        PatternCounts.of((state, plate) for f, state, plate in labelled if f != k)
        for k in range(folds)
    ]


def with_patterns(rows: list[Scored], counts: list[PatternCounts]) -> list[Scored]:
    """Weigh each row's probabilities by its read's pattern under its fold's counts."""
    return [
        replace(r, probs=weigh(r.probs, counts[r.fold].likelihood(r.text, STATES), STATES))
        for r in rows
    ]


def mean_probs(probs: list[np.ndarray | None]) -> np.ndarray | None:
    """Average several models' probabilities for one crop (None where any could not read it)."""
    if any(p is None for p in probs):
        return None
    return np.mean(probs, axis=0)


def hits(rows: list[Scored], region: str | None) -> np.ndarray:
    """Say for each row whether its picked state is its own (region None: no prior; "any": the
    population prior, which the pipeline does not weigh by; "us-x": the home state's)."""
    picked = [pick_state(weighed(r.probs, region))[0] for r in rows]
    pairs = zip(picked, rows, strict=True)
    return np.array([p is not None and p.lower() == r.state for p, r in pairs])


def weighed(probs: np.ndarray, region: str | None) -> np.ndarray:
    """Weigh probs by region's prior (see hits)."""
    if region is None:
        return probs
    if region == "any":
        return weigh(probs, population_prior(STATES), STATES)
    return weigh_states(probs, region, STATES)


def by_population(rows: list[Scored], right: np.ndarray) -> float:
    """Accuracy with each row weighing its state's population over its state's row count."""
    count = Counter(r.state for r in rows)
    people = populations()
    weights = np.array([people[r.state] / count[r.state] for r in rows])
    return float((weights * right).sum() / weights.sum())


def home(rows: list[Scored], prior: bool) -> tuple[float, float, float]:
    """Mean over home states of HOME_SHARE x own-rows accuracy + the rest x others' accuracy
    (by population), each read with region us-<home>; also the two parts' means."""
    own_parts, other_parts = [], []
    for state in sorted({r.state for r in rows}):
        right = hits(rows, f"us-{state}" if prior else None)
        mine = np.array([r.state == state for r in rows])
        own_parts.append(float(right[mine].mean()))
        others = [r for r, m in zip(rows, mine, strict=True) if not m]
        other_parts.append(by_population(others, right[~mine]))
    own, other = np.array(own_parts), np.array(other_parts)
    mixed = HOME_SHARE * own + (1.0 - HOME_SHARE) * other
    return float(mixed.mean()), float(own.mean()), float(other.mean())


def main() -> None:
    """Print each reader's three figures, without and with the prior."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--width", type=int, help="shrink each crop to this width and compress it")
    ap.add_argument("--rows", choices=("heldout", "others", "all"), default="heldout")
    ap.add_argument("--reader", choices=("fused", "model"), default="fused")
    ap.add_argument(
        "--models",
        type=Path,
        nargs="+",
        default=[WORK],
        help="where state_foldK.onnx are (several: their mean is the state model)",
    )
    ap.add_argument(
        "--ocr-folds",
        type=Path,
        help="where ocr_foldK.onnx are: each row's OCR head is its fold's (default: committed)",
    )
    ap.add_argument(
        "--patterns", action="store_true", help="also score with the read's pattern weighing"
    )
    args = ap.parse_args()
    read = held_out_rows(
        args.folds,
        args.width,
        args.rows,
        args.reader,
        folders=tuple(args.models),
        ocr_folds=args.ocr_folds,
    )
    readings = [(False, read)]
    if args.patterns:
        readings.append((True, with_patterns(read, fold_pattern_counts(args.folds))))
    for (patterns, rows), prior in itertools.product(readings, (False, True)):
        right = hits(rows, "any" if prior else None)
        mixed, own, other = home(rows, prior)
        folds = [int(right[[r.fold == k for r in rows]].sum()) for k in range(args.folds)]
        print(
            json.dumps(
                {
                    "benchmark": "state_prior_cv",
                    "width": args.width,
                    "rows": args.rows,
                    "reader": args.reader,
                    "prior": prior,
                    "patterns": patterns,
                    "images": len(rows),
                    "rows_alike": round(float(right.mean()), 4),
                    "right": int(right.sum()),
                    "right_per_fold": folds,
                    "by_population": round(by_population(rows, right), 4),
                    "home": round(mixed, 4),
                    "home_own_rows": round(own, 4),
                    "home_other_rows": round(other, 4),
                }
            )
        )


if __name__ == "__main__":
    main()
