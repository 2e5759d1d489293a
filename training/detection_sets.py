"""The detection photos of shared/data/detection (every plate boxed) and their harder versions.

The held-out split is the one of `platewarden.vision.dataset`: 30% of the images by a salted hash
of the file name, never trained on. The harder versions are built from an image alone and its
name (the seed), so that every run measures the same frames:

- dashcam: scaled 3 times and pillarboxed into a 1280x720 frame, as a dashcam carries a far plate
  (the detector then sees it at 1.5 times its size in the photo);
- night: the dashcam frame dark or infrared grey, with sensor noise and motion blur;
- tilted: the dashcam frame turned by 10-30 degrees either way (the boxes: the upright bounds
  of each turned box).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from platewarden.vision.dataset import heldout_names

DASHCAM_SIZE = (1280, 720)
DASHCAM_SCALE = 3


@dataclass(frozen=True)
class BoxedImage:
    """One image (BGR) with every plate boxed: an (n, 4) array of x, y, w, h in its pixels."""

    name: str
    image: np.ndarray
    boxes: np.ndarray


def load_boxed(folder: Path, split: str) -> list[BoxedImage]:
    """Read folder/truth.jsonl's images with their boxes, keeping split: all, heldout or train."""
    if split not in ("all", "heldout", "train"):
        raise ValueError(f"unknown split {split!r}: use all, heldout or train")
    with (folder / "truth.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    held = heldout_names([str(row["image"]) for row in rows])
    out = []
    for row in rows:
        if split != "all" and (str(row["image"]) in held) != (split == "heldout"):
            continue
        image = cv2.imread(str(folder / row["image"]), cv2.IMREAD_COLOR)
        if image is not None:
            boxes = np.array(row["boxes"], float).reshape(-1, 4)
            out.append(BoxedImage(str(row["image"]), image, boxes))
    return out


def seed_of(name: str) -> int:
    """Give a seed that depends on the image's name alone."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def dashcam(item: BoxedImage) -> BoxedImage:
    """Scale the photo 3 times and pillarbox it (black bars) into a 1280x720 frame."""
    w, h = DASHCAM_SIZE
    img = cv2.resize(item.image, None, fx=DASHCAM_SCALE, fy=DASHCAM_SCALE)
    f = min(1.0, w / img.shape[1], h / img.shape[0])
    if f < 1.0:
        img = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    ox, oy = (w - img.shape[1]) // 2, (h - img.shape[0]) // 2
    frame = np.zeros((h, w, 3), np.uint8)
    frame[oy : oy + img.shape[0], ox : ox + img.shape[1]] = img
    boxes = item.boxes * DASHCAM_SCALE * f + np.array([ox, oy, 0, 0])
    return BoxedImage(item.name, frame, boxes)


def night(item: BoxedImage) -> BoxedImage:
    """Make the frame look taken at night: dark and grainy, or infrared grey; blurred by motion."""
    rng = np.random.default_rng(seed_of("night/" + item.name))
    gray = cv2.cvtColor(item.image, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255
    if rng.random() < 0.5:  # dark: lights and plates stand out of a black scene
        x = gray ** rng.uniform(1.8, 2.6) * rng.uniform(70, 130)
    else:  # infrared grey: flat, low contrast, washed out
        x = 60 + cv2.equalizeHist((gray * 255).astype(np.uint8)) * rng.uniform(0.35, 0.55)
    n = int(rng.integers(5, 12))
    kernel = np.zeros((n, n), np.float32)
    kernel[n // 2] = 1.0 / n
    rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), float(rng.uniform(-15, 15)), 1.0)
    kernel = cv2.warpAffine(kernel, rot, (n, n))
    x = cv2.filter2D(x.astype(np.float32), -1, kernel / kernel.sum())
    x += rng.normal(0, rng.uniform(4, 9), x.shape)
    out = cv2.cvtColor(np.clip(x, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    q = int(rng.integers(35, 70))
    out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])[1], 1)
    return BoxedImage(item.name, out, item.boxes)


def tilted(item: BoxedImage) -> BoxedImage:
    """Turn the frame about its centre by 10-30 degrees either way."""
    rng = np.random.default_rng(seed_of("tilted/" + item.name))
    angle = float(rng.uniform(10, 30) * rng.choice([-1, 1]))
    h, w = item.image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    image = cv2.warpAffine(item.image, m, (w, h), borderMode=cv2.BORDER_CONSTANT)
    return BoxedImage(item.name, image, turn_boxes(item.boxes, m))


def turn_boxes(boxes: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Move boxes by the 2x3 affine m; give the upright bounds of each moved box."""
    out = []
    for x, y, w, h in boxes:
        corners = np.array([[x, y, 1], [x + w, y, 1], [x + w, y + h, 1], [x, y + h, 1]])
        moved = corners @ m.T
        (x0, y0), (x1, y1) = moved.min(axis=0), moved.max(axis=0)
        out.append((x0, y0, x1 - x0, y1 - y0))
    return np.array(out, float).reshape(-1, 4)


VARIANTS: dict[str, Callable[[BoxedImage], BoxedImage]] = {
    "photo": lambda item: item,
    "dashcam": dashcam,
    "dashcam-night": lambda item: night(dashcam(item)),
    "dashcam-tilted": lambda item: tilted(dashcam(item)),
}
