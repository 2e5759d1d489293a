"""Make OCR training crops from synthetic plates and from the labelled real photos."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from platewarden.vision.dataset import load_truth
from platewarden.vision.ocr import OCR_H, OCR_W, crop_box
from training.synth import PlateRenderer, degrade, perspective

REAL_SETS = ("us", "eu", "br", "us-crops")
# Crop sets of another country, several crops of each plate (split by plate in load_truth).
CROP_SETS = ("br-crops", "cz-crops")
US_SETS = ("us", "us-crops")


def load_backgrounds(folder: Path, limit: int = 600) -> list[np.ndarray]:
    """Load the grayscale plate-free scenes."""
    out = []
    for p in sorted(folder.glob("*.jpg"))[:limit]:
        img = cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)
        if img is not None and min(img.shape) >= 64:
            out.append(img)
    return out


def jitter_box(box: np.ndarray, rng: np.random.Generator, lo: float, hi: float) -> np.ndarray:
    """Grow (or with lo < 0, shrink) each side of box by a random share in [lo, hi] of its size."""
    x, y, w, h = box
    dx0, dx1 = rng.uniform(lo, hi, 2) * w
    dy0, dy1 = rng.uniform(lo, hi * 1.5, 2) * h
    return np.array([x - dx0, y - dy0, w + dx0 + dx1, h + dy0 + dy1])


def shrink_and_degrade(
    crop: np.ndarray,
    rng: np.random.Generator,
    plate_w: float,
    widths: tuple[float, float],
    min_side: int,
) -> np.ndarray:
    """Resample to a random plate width within `widths` (small plates are blurry), degrade.

    A crop whose shorter side would fall under `min_side` keeps its size.
    """
    target_w = float(np.exp(rng.uniform(np.log(widths[0]), np.log(widths[1]))))
    scale = min(1.0, target_w / max(plate_w, 1.0))
    if scale < 1.0:
        small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if min(small.shape[:2]) >= min_side:
            crop = small
    return degrade(crop, rng)


def _finish(
    crop: np.ndarray, rng: np.random.Generator, plate_w: float, min_w: float = 50
) -> np.ndarray:
    """Resample to a random plate width (small plates are blurry), degrade, fit the OCR input."""
    crop = shrink_and_degrade(crop, rng, plate_w, (min_w, 260), min_side=4)
    if rng.random() < 0.1:
        crop = 255 - crop
    return cv2.resize(crop, (OCR_W, OCR_H), interpolation=cv2.INTER_AREA)


def paste_on_scene(
    warped: np.ndarray,
    corners: np.ndarray,
    backgrounds: list[np.ndarray],
    rng: np.random.Generator,
    room: tuple[float, float] = (1.8, 1.5),
) -> tuple[np.ndarray, np.ndarray]:
    """Paste a warped plate (gray, mask) into the middle of a scene cut room times its size.

    Return the scene and the plate's corners in it.
    """
    ph, pw = warped.shape[:2]
    bg = backgrounds[rng.integers(len(backgrounds))]
    ch, cw = int(ph * room[0]), int(pw * room[1])
    scale = max(ch / bg.shape[0], cw / bg.shape[1], 1.0)
    if scale > 1.0:
        bg = cv2.resize(bg, None, fx=scale + 0.01, fy=scale + 0.01)
    y, x = int(rng.integers(0, bg.shape[0] - ch + 1)), int(rng.integers(0, bg.shape[1] - cw + 1))
    canvas = bg[y : y + ch, x : x + cw].copy()
    ox, oy = (cw - pw) // 2, (ch - ph) // 2
    alpha = warped[..., 1].astype(np.float32) / 255
    region = canvas[oy : oy + ph, ox : ox + pw].astype(np.float32)
    region = region * (1 - alpha) + warped[..., 0].astype(np.float32) * alpha
    canvas[oy : oy + ph, ox : ox + pw] = np.clip(region, 0, 255).astype(np.uint8)
    return canvas, corners + np.array([ox, oy])


def bounds(corners: np.ndarray) -> np.ndarray:
    """Give the upright box (x, y, w, h) around corners."""
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    return np.array([x0, y0, x1 - x0, y1 - y0])


def synth_sample(
    renderer: PlateRenderer, backgrounds: list[np.ndarray], rng: np.random.Generator
) -> tuple[np.ndarray, str]:
    """Render a plate on a scene and cut it out as a detector would."""
    plate = renderer.render()
    gray = cv2.cvtColor(plate.image, cv2.COLOR_BGR2GRAY)
    if rng.random() < 0.15:  # infrared look: flat, high contrast
        gray = cv2.equalizeHist(gray)
    canvas, corners = paste_on_scene(*perspective(gray, rng, 0.05), backgrounds, rng)
    box = bounds(corners)
    crop = crop_box(canvas, jitter_box(box, rng, -0.06, 0.1), margin=0.0)
    return _finish(crop, rng, box[2]), plate.text


def plate_room(
    img: np.ndarray, box: tuple[float, float, float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Give a labelled plate with room around it, so that a crop box can be jittered, and its box
    (x, y, w, h) there: a photo cut to 0.4 of the box's width beside it and 0.6 of its height
    above and below; a crop (box None: the plate fills it) with 8 px of its edges repeated."""
    if box is None:
        pad = 8
        img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        return img, np.array([pad, pad, img.shape[1] - 2 * pad, img.shape[0] - 2 * pad], float)
    x, y, w, h = box
    x0, y0 = max(0, int(x - 0.4 * w)), max(0, int(y - 0.6 * h))
    x1, y1 = min(img.shape[1], int(x + 1.4 * w)), min(img.shape[0], int(y + 1.6 * h))
    return img[y0:y1, x0:x1].copy(), np.array([x - x0, y - y0, w, h], float)


@dataclass(frozen=True)
class RealItem:
    """A real plate with room around it, so that the crop box can be jittered."""

    region: np.ndarray
    box: np.ndarray
    text: str
    state: str | None  # a US state code, "" for a non-US plate, None when unknown


def load_real_items(
    root: Path, split: str = "train", sets: tuple[str, ...] = REAL_SETS
) -> list[RealItem]:
    """Cut the labelled plates of the real sets (the train split only, by default)."""
    items = []
    for name in sets:
        folder = root / name
        if not (folder / "truth.jsonl").exists():
            continue
        for t in load_truth(folder, split):
            img = cv2.imread(str(t.image), cv2.IMREAD_GRAYSCALE)
            if img is None:
                continue
            region, box = plate_room(img, t.box)
            if t.box is None:  # a crop: the plate fills the image
                state = t.state.lower() if t.state else (None if name in US_SETS else "")
            else:
                state = "" if name in ("eu", "br") else None
            items.append(RealItem(region, box, t.plate, state))
    return items


def real_sample(
    item: RealItem, rng: np.random.Generator, heavy: bool = False, small: float = 0.0
) -> np.ndarray:
    """Cut a real plate with a jittered box, a small rotation and degradation.

    heavy: harder, as plates far from the camera and at night are: a perspective warp, turns up
    to 8 degrees, widths down to 40 px, night or infrared grey, stronger JPEG artefacts.
    small: the share of crops degraded as a parking-lot camera gives them (parking_lot) instead.
    """
    region = item.region
    box = item.box
    if heavy and rng.random() < 0.4:
        region, box = _warp(region, box, rng)
    if rng.random() < 0.5:
        angle = rng.uniform(-8, 8) if heavy else rng.uniform(-5, 5)
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        m = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
        region = cv2.warpAffine(region, m, region.shape[::-1], borderMode=cv2.BORDER_REPLICATE)
    crop = crop_box(region, jitter_box(box, rng, -0.05, 0.1), margin=0.0)
    crop = cv2.resize(crop, None, fx=rng.uniform(0.85, 1.15), fy=1.0)
    if small and rng.random() < small:
        return parking_lot(crop, rng)
    if not heavy:
        return _finish(crop, rng, box[2])
    if rng.random() < 0.15:
        crop = _night(crop, rng)
    out = _finish(crop, rng, box[2], min_w=40)
    if rng.random() < 0.15:
        q = int(rng.integers(15, 40))
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])[1], 0)
    return out


def parking_lot(crop: np.ndarray, rng: np.random.Generator, invert: float = 0.1) -> np.ndarray:
    """Degrade a crop as a parking-lot camera's 640x480 frame gives a plate: 40-90 px wide,
    blurred, noisy, compressed as JPEG at quality 15-60 at that size (the reader enlarges it).

    A grey crop stays grey and a colour one colour; a share invert of them is inverted (an
    infrared camera's look, for the grey OCR)."""
    scale = min(1.0, rng.uniform(40, 90) / crop.shape[1])
    out = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    out = out.astype(np.float32) * rng.uniform(0.6, 1.2) + rng.uniform(-40, 30)
    if rng.random() < 0.7:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 0.9))
    if rng.random() < 0.2:  # horizontal motion blur of a moving car
        n = int(rng.integers(2, 4))
        out = cv2.filter2D(out, -1, np.full((1, n), 1.0 / n, np.float32))
    out += rng.normal(0, rng.uniform(0, 6), out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    q = int(rng.integers(15, 61))
    out = cv2.imdecode(
        cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_UNCHANGED
    )
    if rng.random() < invert:
        out = 255 - out
    return out


def _warp(
    region: np.ndarray, box: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Move each corner of box by up to 8% of its size; give the warped region and new box."""
    x, y, w, h = box
    src = np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
    dst = src + (rng.uniform(-0.08, 0.08, (4, 2)) * np.float32([w, h])).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(region, m, region.shape[::-1], borderMode=cv2.BORDER_REPLICATE)
    return warped, bounds(dst)


def _night(crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Make a crop look taken at night (dark, grainy) or by an infrared camera (flat, bright)."""
    if rng.random() < 0.5:
        x = (crop.astype(np.float32) / 255) ** rng.uniform(1.3, 2.0) * rng.uniform(90, 180)
        x += rng.normal(0, rng.uniform(2, 6), x.shape)
        return np.clip(x, 0, 255).astype(np.uint8)
    x = cv2.equalizeHist(crop).astype(np.float32) * rng.uniform(0.5, 0.8) + rng.uniform(20, 60)
    return np.clip(x, 0, 255).astype(np.uint8)
