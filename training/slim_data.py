"""Write a small copy of ../shared/data for an OCR training run on another machine.

A GPU machine takes the repository and what it carries, 64 MiB in all. The copy keeps every row
of each set's truth.jsonl, so that `load_truth` splits it as it splits the original; each image
grey (the OCR reads grey) as JPEG, under its own name (a .png too); a photo cut to the room
`load_real_items` keeps around its labelled plate, its box moved to match; the backgrounds grey,
their longer side at most --max-side px.

  python -m training.slim_data --out .gpu/data --max-side 400      # 21 MB
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from platewarden.vision.dataset import load_truth

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def write_jpeg(path: Path, image: np.ndarray, quality: int) -> None:
    """Write image as JPEG at quality, under path's name whatever its suffix (the split hashes
    the file name; readers decode by content)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes())


def slim_set(src: Path, out: Path, quality: int) -> int:
    """Copy one set's rows and images, photos cut around their plate; give the images written."""
    written, rows = 0, []
    for line in (src / "truth.jsonl").read_text().splitlines():
        row = json.loads(line)
        img = cv2.imread(str(src / row["image"]), cv2.IMREAD_GRAYSCALE)
        if img is not None and row.get("box"):
            x, y, w, h = row["box"]
            x0, y0 = max(0, int(x - 0.4 * w)), max(0, int(y - 0.6 * h))
            x1, y1 = min(img.shape[1], int(x + 1.4 * w)), min(img.shape[0], int(y + 1.6 * h))
            img = img[y0:y1, x0:x1]
            row["box"] = [x - x0, y - y0, w, h]
            row["height"], row["width"] = img.shape
        if img is not None:
            write_jpeg(out / row["image"], img, quality)
            written += 1
        rows.append(json.dumps(row))
    (out / "truth.jsonl").write_text("\n".join(rows) + "\n")
    return written


def main() -> None:
    """Write the copy and check that each set splits as the original does."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sets", nargs="+", default=["us", "eu", "br", "us-crops", "br-crops"])
    ap.add_argument("--quality", type=int, default=90)
    ap.add_argument("--max-side", type=int, default=640)
    args = ap.parse_args()
    for name in args.sets:
        n = slim_set(args.data / "plates" / name, args.out / "plates" / name, args.quality)
        for split in ("train", "heldout"):
            ours = [t.image.name for t in load_truth(args.out / "plates" / name, split)]
            theirs = [t.image.name for t in load_truth(args.data / "plates" / name, split)]
            if ours != theirs:
                raise SystemExit(f"{name}: the copy's {split} split differs from the original's")
        print(f"{name}: {n} images", flush=True)
    for path in sorted((args.data / "backgrounds").glob("*.jpg")):
        img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if img is None:
            continue
        scale = min(1.0, args.max_side / max(img.shape))
        if scale < 1.0:
            img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        write_jpeg(args.out / "backgrounds" / path.name, img, args.quality)


if __name__ == "__main__":
    main()
