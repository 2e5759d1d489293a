"""Train the plate check: a small CNN that tells a plate from what the detector mistakes for one.

The detector sees a 1280x720 frame at half its size; a far plate it finds with a score under
SURE_PLATE, whose text the OCR cannot make out, is dropped, and so are most plates of dashcam
frames (issue 16). The plate check looks again at each box at the frame's own size (the corner
model's input: the box grown by 15%, grey, 48x144) and says whether it holds a plate.

Its examples are the committed detector's boxes (threshold CANDIDATE_THRESHOLD, both passes) on
train-split photos only: detection/es (every plate boxed: a box overlapping a plate with IoU above
0.4 is a plate, one overlapping none above 0.2 is not) as photos and as their dashcam, night and
tilted frames (training/detection_sets.py); the us, eu and br train photos (one plate labelled
each, so only their plates); and the plate-free scenes of backgrounds (every box there is not a
plate). Every labelled es plate 6 px tall or more is a plate example too, boxed as labelled.

A fifth of the es train photos (by a salted hash of the name) is kept out of training to set the
thresholds: CHECKED_PLATE, the least score at which the boxes that are not plates, scored by the
detector at least THRESHOLD and under SURE_PLATE (the ones the check would add), pass at most
FALSE_PER_IMAGE times an image of those photos in each of the four versions ("threshold"); and
DOUBTFUL_PLATE, the greatest score under which at most DOUBTED_PLATES of their plates the
detector is sure of fall ("doubt"). The held-out split (30%) is never read here. Run again when
finished, it prints them again.

  python -m training.train_plate_check --steps 3000      # -> training/work/plate_check.onnx
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from platewarden.vision.corners import CORNER_H, CORNER_W, corners_input
from platewarden.vision.detector import THRESHOLD, PlateDetector, iou
from platewarden.vision.images import to_gray
from platewarden.vision.pipeline import SURE_PLATE, Recognizer
from training import checkpoints
from training.detection_eval import DATA, PHOTO_SETS, labelled_photos
from training.detection_sets import VARIANTS, BoxedImage, load_boxed
from training.nets import PlateCheckNet
from training.onnx_export import export_onnx
from training.samples import load_backgrounds
from training.schedules import one_cycle

WORK = Path("training/work")
CANDIDATE_THRESHOLD = 0.1
PLATE_IOU, NOT_PLATE_IOU = 0.4, 0.2
MIN_LABELLED_HEIGHT = 6
CALIBRATION_SALT = "platewarden-plate-check-v1"
CALIBRATION_SHARE = 0.2
FALSE_PER_IMAGE = 0.02
# The share of the plates the detector is sure of that the check may doubt (DOUBTFUL_PLATE).
DOUBTED_PLATES = 0.02
# Each example is kept with this much room around its box, for the jitter of training.
ROOM = 0.5


@dataclass(frozen=True)
class Example:
    """A grey region around a box, the box in it, and whether it holds a plate."""

    region: np.ndarray
    box: np.ndarray
    plate: bool
    score: float  # the detector's (1.0 for a labelled box)
    image: str  # variant/name of the frame it came from
    detected: bool = True  # a detector's box, not a labelled one


def in_calibration(name: str) -> bool:
    """Tell whether an es train photo is kept out of training to set the thresholds."""
    digest = hashlib.sha256((CALIBRATION_SALT + name).encode()).digest()
    return digest[0] < 256 * CALIBRATION_SHARE


def cut(gray: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut box with ROOM around it; give the region and the box in the region's pixels."""
    x, y, w, h = box
    x0, y0 = max(0, int(x - ROOM * w - 2)), max(0, int(y - ROOM * h * 1.5 - 2))
    x1 = min(gray.shape[1], int(x + w * (1 + ROOM) + 2))
    y1 = min(gray.shape[0], int(y + h * (1 + ROOM * 1.5) + 2))
    return gray[y0:y1, x0:x1].copy(), np.array([x - x0, y - y0, w, h], float)


def frame_examples(
    detector: PlateDetector, image: BoxedImage, tag: str, every_plate: bool
) -> list[Example]:
    """The detector's boxes on one frame as examples; with every_plate, its labels too."""
    gray = to_gray(image.image)
    scale = gray.shape[1] / image.image.shape[1]
    labels = image.boxes * scale
    out = []
    for det in detector.detect(gray, CANDIDATE_THRESHOLD):
        overlap = max((iou(det.box, b) for b in labels), default=0.0)
        if overlap > PLATE_IOU or (every_plate and overlap <= NOT_PLATE_IOU):
            region, box = cut(gray, np.array(det.box, float))
            out.append(Example(region, box, overlap > PLATE_IOU, det.score, tag))
    if every_plate:
        for b in labels:
            if b[3] >= MIN_LABELLED_HEIGHT:
                region, box = cut(gray, b)
                out.append(Example(region, box, True, 1.0, tag, detected=False))
    return out


def collect(data: Path) -> tuple[list[Example], list[Example], int]:
    """Give the training examples, the calibration examples and the number of calibration
    photos, from the train split and the scenes."""
    detector = Recognizer.load(threads=1).detector
    train, calibration = [], []
    es = load_boxed(data / "detection" / "es", "train")
    for item in es:
        into = calibration if in_calibration(item.name) else train
        for variant, make in VARIANTS.items():
            into += frame_examples(detector, make(item), f"{variant}/{item.name}", True)
    for name in PHOTO_SETS:
        for photo in labelled_photos(data / "plates", name, "train"):
            train += frame_examples(detector, photo, f"{name}/{photo.name}", False)
    for i, scene in enumerate(load_backgrounds(data / "backgrounds")):
        empty = BoxedImage(f"scene{i}", scene, np.zeros((0, 4)))
        train += frame_examples(detector, empty, f"scene/{i}", True)
    return train, calibration, sum(in_calibration(item.name) for item in es)


def sample(example: Example, rng: np.random.Generator) -> np.ndarray:
    """The network's input for an example, its box jittered (shifted, grown or shrunk)."""
    x, y, w, h = example.box
    grow = rng.uniform(0.9, 1.15, 2)
    shift = rng.uniform(-0.06, 0.06, 2) * (w, h)
    nw, nh = w * grow[0], h * grow[1]
    box = (x + (w - nw) / 2 + shift[0], y + (h - nh) / 2 + shift[1], nw, nh)
    region = example.region
    if rng.random() < 0.3:  # another camera's exposure and contrast
        gain, bias = rng.uniform(0.6, 1.4), rng.uniform(-40, 40)
        region = np.clip(region.astype(np.float32) * gain + bias, 0, 255).astype(np.uint8)
    return corners_input(region, box)


def inputs(examples: list[Example]) -> np.ndarray:
    """The network's inputs for examples, boxes as they are."""
    return np.stack([corners_input(e.region, e.box) for e in examples])


def scores(model: nn.Module, examples: list[Example]) -> np.ndarray:
    """The model's plate probability for each example."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(examples), 256):
            x = torch.from_numpy(inputs(examples[i : i + 256]))
            out.append(torch.sigmoid(model(x)).numpy())
    model.train()
    return np.concatenate(out) if out else np.zeros(0)


def threshold_for(probs: np.ndarray, examples: list[Example], photos: int) -> float:
    """The least threshold at which, in each version of the photos, the added false boxes pass
    at most FALSE_PER_IMAGE an image."""
    allowed = int(FALSE_PER_IMAGE * photos)
    at = 0.5
    for variant in VARIANTS:
        false_scores = np.sort(
            [
                p
                for p, e in zip(probs, examples, strict=True)
                if e.image.startswith(variant + "/")
                and not e.plate
                and THRESHOLD <= e.score < SURE_PLATE
            ]
        )[::-1]
        if len(false_scores) > allowed:
            at = max(at, round(float(np.ceil(false_scores[allowed] * 100 + 1e-9)) / 100, 2))
    return at


def doubtful_for(probs: np.ndarray, examples: list[Example]) -> float:
    """The greatest probability (rounded down to 0.01) under which at most DOUBTED_PLATES of the
    plates the detector is sure of fall, over the four versions."""
    sure = np.sort(
        [
            p
            for p, e in zip(probs, examples, strict=True)
            if e.detected and e.plate and e.score >= SURE_PLATE
        ]
    )
    if len(sure) == 0:
        return 0.0
    at = float(np.floor(sure[int(DOUBTED_PLATES * len(sure))] * 100)) / 100
    return round(at, 2)


def report(probs: np.ndarray, examples: list[Example], at: float) -> dict:
    """Plates kept and false boxes passed at threshold at, among the boxes the check decides;
    the doubt threshold, and the plates and false boxes the detector is sure of under it."""
    doubt = doubtful_for(probs, examples)
    sure = [e.detected and e.score >= SURE_PLATE for e in examples]
    open_ = [THRESHOLD <= e.score < SURE_PLATE for e in examples]
    plates = [p for p, e, o in zip(probs, examples, open_, strict=True) if o and e.plate]
    false = [p for p, e, o in zip(probs, examples, open_, strict=True) if o and not e.plate]
    frames = len({e.image for e in examples})
    return {
        "threshold": at,
        "open_plates": len(plates),
        "open_plates_passed": int(sum(p >= at for p in plates)),
        "open_false": len(false),
        "open_false_passed_per_image": round(sum(p >= at for p in false) / max(frames, 1), 3),
        "doubt": doubt,
        "sure_plates": int(sum(s and e.plate for s, e in zip(sure, examples, strict=True))),
        "sure_plates_doubted": int(
            sum(s and e.plate and p < doubt for p, s, e in zip(probs, sure, examples, strict=True))
        ),
        "sure_false": int(sum(s and not e.plate for s, e in zip(sure, examples, strict=True))),
        "sure_false_doubted": int(
            sum(
                s and not e.plate and p < doubt
                for p, s, e in zip(probs, sure, examples, strict=True)
            )
        ),
    }


def calibrate(model: nn.Module, calibration: list[Example], photos: int, step: int) -> None:
    """Print the thresholds the calibration photos give the model now, with their report."""
    probs = scores(model, calibration)
    at = threshold_for(probs, calibration, photos)
    print(json.dumps({"step": step, **report(probs, calibration, at)}), flush=True)


def export(model: nn.Module, path: Path) -> None:
    """Write the plate check as ONNX with a dynamic batch axis (logits, one per box)."""
    batch = {0: "n"}
    export_onnx(
        model, path, (1, 1, CORNER_H, CORNER_W), ["logit"], {"image": batch, "logit": batch}
    )


def main() -> None:
    """Collect the examples, train for --steps, set the threshold, export ONNX."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=60)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=WORK / "plate_check.onnx")
    ap.add_argument("--ckpt", type=Path, default=WORK / "plate_check.pt")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(1)
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    train, calibration, photos = collect(args.data)
    plates = [e for e in train if e.plate]
    others = [e for e in train if not e.plate]
    print(
        f"examples: {len(plates)} plates, {len(others)} not; calibration {len(calibration)} "
        f"from {photos} photos "
        f"({time.time() - t0:.0f}s)",
        flush=True,
    )
    model = PlateCheckNet()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = one_cycle(opt, args.lr, args.steps)
    start, rng = checkpoints.resume(args.ckpt, model=model, opt=opt, sched=sched, rng=rng)
    half = args.batch // 2
    for step in range(start, args.steps):
        batch = [plates[j] for j in rng.integers(len(plates), size=half)]
        batch += [others[j] for j in rng.integers(len(others), size=args.batch - half)]
        x = torch.from_numpy(np.stack([sample(e, rng) for e in batch]))
        y = torch.tensor([float(e.plate) for e in batch])
        loss = nn.functional.binary_cross_entropy_with_logits(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.4f} {time.time() - t0:.0f}s", flush=True)
        if (step + 1) % 500 == 0 or step + 1 == args.steps:
            checkpoints.save(args.ckpt, model=model, opt=opt, sched=sched, step=step + 1, rng=rng)
            calibrate(model, calibration, photos, step + 1)
            export(model, args.out)
    if start >= args.steps:  # a finished run, resumed: its thresholds again
        calibrate(model, calibration, photos, start)


if __name__ == "__main__":
    main()
