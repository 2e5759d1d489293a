"""Write a small copy of ../shared/data for a training run on another machine.

A GPU machine takes the repository and what it carries, 64 MiB in all. The copy keeps every row
of each set's truth.jsonl, so that `load_truth` and `load_boxed` split it as they split the
original; each image grey (the models read grey) as JPEG, under its own name (a .png too).

- `--model ocr` (training/train_ocr.py): the plate sets, each photo cut to the room
  `load_real_items` keeps around its labelled plate (its box moved to match); the backgrounds'
  longer side at most 400 px (they are pasted behind a plate and shrunk with it). 37 MB.
- `--model detector` (training/train_detector.py): the us, eu and br photos at the detector's
  scale (longer side 640 px, their boxes scaled), detection/es as it is, the backgrounds at full
  size; JPEG quality 60, to fit (the training degrades with JPEG too). 37 MB.

  python -m training.slim_data --model ocr --out .gpu/ocr --fonts .gpu/fonts
  python -m training.slim_data --model detector --out .gpu/det

--fonts DIR also copies the plate renderer's font files under DIR with their paths
(DIR/usr/share/fonts/...; `cp -r DIR/usr /` on the machine), 5 MB.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from platewarden.vision.dataset import load_truth
from platewarden.vision.detector import MAX_SIDE
from training.samples import plate_room
from training.synth import PlateRenderer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OCR_SETS = ("us", "eu", "br", "us-crops", "br-crops")
PHOTO_SETS = ("us", "eu", "br")
# A row of truth.jsonl and its image, changed together (a cut or a scale moves the box).
Change = Callable[[np.ndarray, dict], np.ndarray]


def write_jpeg(path: Path, image: np.ndarray, quality: int) -> None:
    """Write image as JPEG at quality, under path's name whatever its suffix (the split hashes
    the file name; readers decode by content)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes())


def cut_around_plate(img: np.ndarray, row: dict) -> np.ndarray:
    """Cut a photo to the room load_real_items keeps around its box (samples.plate_room); move
    the box to match."""
    if not row.get("box"):
        return img
    img, box = plate_room(img, row["box"])
    row["box"] = [int(v) for v in box]
    return img


def shrink(max_side: int) -> Change:
    """Scale a photo so that its longer side is at most max_side, with its box or boxes."""

    def change(img: np.ndarray, row: dict) -> np.ndarray:
        scale = min(1.0, max_side / max(img.shape))
        if scale == 1.0:
            return img
        for key in ("box", "boxes"):
            if row.get(key):
                row[key] = (np.array(row[key], float) * scale).round(1).tolist()
        return cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)

    return change


def slim_set(src: Path, out: Path, change: Change, quality: int) -> int:
    """Copy one set's rows and images, each image changed; give the images written."""
    written, rows = 0, []
    for line in (src / "truth.jsonl").read_text().splitlines():
        row = json.loads(line)
        img = cv2.imread(str(src / row["image"]), cv2.IMREAD_GRAYSCALE)
        if img is not None:
            img = change(img, row)
            row["height"], row["width"] = img.shape
            write_jpeg(out / row["image"], img, quality)
            written += 1
        rows.append(json.dumps(row))
    (out / "truth.jsonl").write_text("\n".join(rows) + "\n")
    return written


def check_split(ours: Path, theirs: Path) -> None:
    """Stop unless the copy of a plate set splits as the original does."""
    for split in ("train", "heldout"):
        mine = [t.image.name for t in load_truth(ours, split)]
        if mine != [t.image.name for t in load_truth(theirs, split)]:
            raise SystemExit(f"{ours.name}: the copy's {split} split differs from the original's")


def copy_fonts(out: Path) -> None:
    """Copy the renderer's font files under out, each at its own path below it."""
    renderer = PlateRenderer(1)
    for font in sorted(set(renderer.fonts) | set(renderer.header_fonts)):
        target = out / font.relative_to("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(font.read_bytes())


def main() -> None:
    """Write the copy one model's training needs."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=("ocr", "detector"), default="ocr")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--fonts", type=Path, help="also copy the renderer's fonts under this folder")
    args = ap.parse_args()
    if not (args.data / "plates").is_dir() or not (args.data / "backgrounds").is_dir():
        raise SystemExit(f"{args.data} has no plates/ and backgrounds/: give --data ../shared/data")
    if args.fonts:
        copy_fonts(args.fonts)
    ocr = args.model == "ocr"
    quality = 90 if ocr else 60
    plates = args.data / "plates"
    for name in OCR_SETS if ocr else PHOTO_SETS:
        change = cut_around_plate if ocr else shrink(MAX_SIDE)
        n = slim_set(plates / name, args.out / "plates" / name, change, quality)
        check_split(args.out / "plates" / name, plates / name)
        print(f"{name}: {n} images", flush=True)
    if not ocr:
        es = args.data / "detection" / "es"
        n = slim_set(es, args.out / "detection" / "es", lambda img, row: img, quality)
        print(f"detection/es: {n} images", flush=True)
    bg_side = 400 if ocr else 800
    for path in sorted((args.data / "backgrounds").glob("*.jpg")):
        img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if img is not None:
            img = shrink(bg_side)(img, {})
            write_jpeg(args.out / "backgrounds" / path.name, img, quality)


if __name__ == "__main__":
    main()
