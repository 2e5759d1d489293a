"""Estimate the reader on real plates it never trained on, in folds grouped by plate, per source.

Every labelled crop and photo under ../shared/data/plates is one row of a source (a folder). Rows
that share a plate text, a source image (br-crops) or a track (cz-crops) form one group, and each
group falls in one of k folds by a salted hash, so a plate is never in two folds, in any source.

The committed models trained on the train split of us, eu, br and us-crops (training/samples.py,
REAL_SETS); every group holding one of those plates is left out, so what is scored is what the
models never saw: the held-out split of those four and all of br-crops and cz-crops (and of any
set added later that no model trained on). A model trained on other rows is scored honestly by
giving the plates it trained on (--trained, a JSON list), which leaves their groups out too.

For each source it prints top-1, top-5, character accuracy and, where the rows carry a state,
state accuracy: over all of the source's scored rows, and per fold with the spread (lowest and
highest fold). Small sources make small folds, and a wide spread says so. The last line, "all",
weighs every source alike (the reader is judged on sources it has not seen). The packaged state
model (state.onnx) trained on every us-crops row, so the packaged models' state figure is no
estimate: --state-folds gives one, reading each fold's rows with a state model trained without
them (training.state_cv too). The reader is the pipeline's, plate check included.

  python -m training.grouped_cv                       # the packaged models, region "any"
  python -m training.grouped_cv --regions source      # each source's country as the region setting
  python -m training.grouped_cv --models DIR --trained training/work/ocr5.plates.json
  python -m training.grouped_cv --width 64            # plates as small as a parking-lot camera's
  python -m training.grouped_cv --state-folds training/work   # each row's state by its fold's model

--width W reads every row as a small, compressed plate (deterministic): a crop is scaled to W px
wide, a photo so that its labelled plate is W px wide (never enlarged), and each is compressed as
JPEG at quality 60 (as training.state_cv --width does).

A full cross-validation trains one model per fold from scratch (not from a model that saw the
fold) with `train_ocr --exclude-fold K`, and scores each on its fold with
`--fold K --no-committed --trained` its plates file; the five folds' lines are the estimate.

Progress goes to stderr, JSON lines (../shared/BENCHMARKS.md) to stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from platewarden.plate_formats import check_region
from platewarden.vision.dataset import Truth, load_truth
from platewarden.vision.evaluate import Report, score_rows
from platewarden.vision.images import load_image
from platewarden.vision.pipeline import Recognizer
from platewarden.vision.state import PlateState
from training.samples import REAL_SETS

PLATES = Path(__file__).resolve().parents[2] / "shared" / "data" / "plates"
FOLD_SALT = "platewarden-grouped-cv-v1"
# The one country whose plates fill a source: the region a camera there would be set to.
SOURCE_REGION = {"br": "br", "br-crops": "br", "cz-crops": "cz"}


@dataclass(frozen=True)
class Row:
    """One labelled image of a source, its group key and its jurisdiction where known."""

    source: str
    truth: Truth
    links: tuple[str, ...]  # the keys that tie it to other rows: plate, source image, track
    jurisdiction: str | None  # "us-ca", "br", "cz", ... where the label says; None otherwise


def load_rows(root: Path) -> list[Row]:
    """Read every source folder under root (truth.jsonl) into rows."""
    rows = []
    for folder in sorted(p for p in root.iterdir() if (p / "truth.jsonl").exists()):
        extra = _extra_fields(folder)
        for t in load_truth(folder):
            meta = extra[t.image.name]
            links = [f"plate:{t.plate}"]
            links += [f"{folder.name}:{meta[k]}" for k in ("source_image", "track") if k in meta]
            rows.append(Row(folder.name, t, tuple(links), _jurisdiction(folder.name, t, meta)))
    return rows


def _extra_fields(folder: Path) -> dict[str, dict]:
    with (folder / "truth.jsonl").open(encoding="utf-8") as f:
        return {row["image"]: row for row in map(json.loads, filter(str.strip, f))}


def _jurisdiction(source: str, truth: Truth, meta: dict) -> str | None:
    if truth.state:
        return f"us-{truth.state.lower()}"
    if meta.get("country_guess"):
        return str(meta["country_guess"]).lower()
    return SOURCE_REGION.get(source)


def group_keys(rows: list[Row]) -> list[str]:
    """Give each row its group: the smallest link of the rows it is tied to (union-find)."""
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for row in rows:
        for link in row.links[1:]:
            a, b = find(row.links[0]), find(link)
            parent[max(a, b)] = min(a, b)
    return [find(row.links[0]) for row in rows]


def fold_of(group: str, folds: int) -> int:
    """Put a group in a fold by a salted hash of its key."""
    return int(hashlib.sha256(f"{FOLD_SALT}/{group}".encode()).hexdigest(), 16) % folds


def fold_plates(root: Path, folds: int, fold: int) -> set[str]:
    """Give the plates of one fold: what a model trained for that fold must not see."""
    rows = load_rows(root)
    return {
        row.truth.plate
        for row, group in zip(rows, group_keys(rows), strict=True)
        if fold_of(group, folds) == fold
    }


def committed_training_plates(root: Path) -> set[str]:
    """Give the plates the committed models trained on: the train split of REAL_SETS."""
    return {t.plate for name in REAL_SETS for t in load_truth(root / name, "train")}


def groups_holding(rows: list[Row], groups: list[str], plates: set[str]) -> set[str]:
    """Give the groups that hold a row of one of plates (the plates a model trained on)."""
    return {g for row, g in zip(rows, groups, strict=True) if row.truth.plate in plates}


def shrink(image: np.ndarray, width: int) -> np.ndarray:
    """Scale an image to width pixels wide and compress it as JPEG at quality 60."""
    return cv2.imdecode(np.frombuffer(_jpeg(image, width / image.shape[1]), np.uint8), -1)


def _jpeg(image: np.ndarray, scale: float) -> bytes:
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 60])[1].tobytes()


def shrunk_rows(rows: list[Row], width: int, folder: Path) -> list[Row]:
    """Write each row's image into folder as a plate width px wide, compressed; give their rows.

    A crop is scaled to width; a photo so that its labelled plate is width px wide, never
    enlarged, its box scaled alike. The files keep their names (the misses name them).
    """
    out = []
    for row in rows:
        truth, box = row.truth, row.truth.box
        image = load_image(truth.image)
        scale = width / image.shape[1] if box is None else min(1.0, width / box[2])
        if box is not None:
            x, y, w, h = (round(v * scale) for v in box)
            box = (x, y, w, h)
        path = folder / row.source / truth.image.name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(_jpeg(image, scale))
        out.append(replace(row, truth=replace(truth, image=path, box=box)))
    return out


def region_for(row: Row, mode: str) -> str:
    """Give the region setting a row is read with: "any", its source's country or its own label."""
    wanted = {"any": None, "source": SOURCE_REGION.get(row.source), "truth": row.jurisdiction}[mode]
    try:
        return check_region(wanted or "any")
    except ValueError:  # a region the package does not know reads as "any"
        return "any"


def fold_state(folder: Path, fold: int) -> PlateState:
    """Load fold's state model from folder (state_foldK.onnx), on one thread."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return PlateState(folder / f"state_fold{fold}.onnx", options)


def score(
    rows: list[Row],
    folds: list[int],
    recognizer: Recognizer,
    k: int,
    mode: str,
    *,
    state_folds: Path | None = None,
) -> dict[str, list[Report]]:
    """Score each source's rows fold by fold; give each source's k reports.

    With state_folds, each fold's rows get their state from state_folds/state_foldK.onnx (a
    model that never saw them: training.train_state --fold K) instead of the package's.
    """
    reports: dict[str, list[Report]] = {}
    by_region: dict[tuple[str, int, str], list[Truth]] = defaultdict(list)
    for row, fold in zip(rows, folds, strict=True):
        by_region[row.source, fold, region_for(row, mode)].append(row.truth)
    for (source, fold, region), truths in sorted(by_region.items()):
        if source not in reports:
            ocr = all(t.box is None for r in rows if r.source == source for t in [r.truth])
            reports[source] = [
                Report(source, f"fold {i}", "ocr" if ocr else "end-to-end") for i in range(k)
            ]
        state = recognizer.state
        if state_folds is not None:
            state = fold_state(state_folds, fold)
        reader = Recognizer(
            recognizer.detector,
            recognizer.ocr,
            recognizer.corners,
            region,
            state,
            ocr_b=recognizer.ocr_b,
            check=recognizer.check,
        )
        score_rows(reports[source][fold], truths, reader)
        print(f"{source} fold {fold} region {region}: {len(truths)} rows", file=sys.stderr)
    return reports


def summarise(source: str, reports: list[Report], mode: str, width: int | None) -> dict:
    """Pool a source's folds into one JSON line, with each figure's per-fold spread."""
    line: dict = {"benchmark": "grouped_cv", "set": source, "regions": mode, "width": width}
    line["images"] = sum(r.images for r in reports)
    line["detection_recall"] = None
    figures = [r.as_json() for r in reports if r.images]
    keys = ["top1", "top5", "char_accuracy"]
    if reports[0].mode == "end-to-end":
        keys.insert(0, "detection_recall")
    for key in keys:
        per_fold = [f[key] for f in figures]
        weights = [f["images"] for f in figures]
        line[key] = round(float(np.average(per_fold, weights=weights)), 4)
        line[f"{key}_folds"] = per_fold
        line[f"{key}_spread"] = [min(per_fold), max(per_fold)]
    states = sum(r.states for r in reports)
    if states:
        line["jurisdiction_accuracy"] = round(sum(r.states_right for r in reports) / states, 4)
        per_fold = [r.states_right / r.states for r in reports if r.states]
        line["jurisdiction_accuracy_spread"] = [round(min(per_fold), 4), round(max(per_fold), 4)]
    line["median_ms"] = round(float(np.median([t for r in reports for t in r.times_ms])), 1)
    return line


def main() -> None:
    """Score the models on the rows no model trained on, fold by fold, and print JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=PLATES, help="the folder of plate sets")
    ap.add_argument("--models", type=Path, help="a folder of models (default: the package's)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--trained",
        type=Path,
        action="append",
        default=[],
        help="a JSON list of more plates trained on (a fine-tuned model's): their groups are "
        "left out too; repeat it to compare models on the rows none of them saw",
    )
    ap.add_argument(
        "--regions",
        choices=("any", "source", "truth"),
        default="any",
        help="the region each row is read with: any; its source's one country (br, cz); or the "
        "row's own label (a US crop's state as the camera's home state)",
    )
    ap.add_argument("--fold", type=int, help="score this fold only (a model trained for it)")
    ap.add_argument(
        "--no-committed",
        action="store_true",
        help="the models were not trained on the fixed train split: leave out only --trained",
    )
    ap.add_argument(
        "--width",
        type=int,
        help="read each plate W px wide and JPEG-compressed (a crop scaled to W, a photo so "
        "that its plate is W, never enlarged), as a parking-lot camera gives it",
    )
    ap.add_argument(
        "--state-folds",
        type=Path,
        help="a folder of state models, one per fold (state_foldK.onnx, training.train_state "
        "--fold K): each row's state from its fold's model, which never saw it",
    )
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--misses", type=Path, help="write every miss here, one JSON line each")
    args = ap.parse_args()

    rows = load_rows(args.data)
    trained = set() if args.no_committed else committed_training_plates(args.data)
    for path in args.trained:
        trained |= set(json.loads(path.read_text()))
    groups = group_keys(rows)
    seen = groups_holding(rows, groups, trained)
    kept = [
        (row, g)
        for row, g in zip(rows, groups, strict=True)
        if g not in seen and args.fold in (None, fold_of(g, args.folds))
    ]
    print(f"{len(rows)} rows, {len(kept)} in groups no model trained on", file=sys.stderr)
    recognizer = Recognizer.load(args.models, threads=args.threads)
    with tempfile.TemporaryDirectory() as small:
        scored = [r for r, _ in kept]
        if args.width:
            scored = shrunk_rows(scored, args.width, Path(small))
        folds = [fold_of(g, args.folds) for _, g in kept]
        reports = score(
            scored, folds, recognizer, args.folds, args.regions, state_folds=args.state_folds
        )
    lines = [summarise(source, reps, args.regions, args.width) for source, reps in reports.items()]
    macro = {"benchmark": "grouped_cv", "set": "all", "regions": args.regions}
    macro |= {"width": args.width, "sets": len(lines)}
    macro["images"] = sum(line["images"] for line in lines)
    for key in ("top1", "top5", "char_accuracy"):
        macro[key] = round(float(np.mean([line[key] for line in lines])), 4)
    for line in [*lines, macro]:
        print(json.dumps(line))
    if args.misses:
        with args.misses.open("w", encoding="utf-8") as f:
            for reps in reports.values():
                for rep in reps:
                    for miss in rep.misses:
                        f.write(json.dumps({"set": rep.set, "fold": rep.split, **miss}) + "\n")


if __name__ == "__main__":
    main()
