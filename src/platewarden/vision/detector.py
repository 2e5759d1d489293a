"""Plate detector: a small CenterNet-style network (ONNX) on a downscaled grayscale image."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

MAX_SIDE = 640
STRIDE = 4
THRESHOLD = 0.25
MAX_PLATES = 12
# The detector was trained on plates 22-260 px wide at its input scale. A second pass at half the
# scale finds the plates too wide for the first; where both passes find a plate, the better
# score wins.
WIDEST = 260
HALF_SCALE_NARROWEST = 80


@dataclass(frozen=True)
class Detection:
    """A plate found in the image: box (x, y, w, h) in image pixels and a score."""

    box: tuple[float, float, float, float]
    score: float


def to_input(gray: np.ndarray, max_side: int = MAX_SIDE) -> tuple[np.ndarray, float]:
    """Scale gray to fit max_side, pad to a multiple of 32, normalise; return it and the scale."""
    h, w = gray.shape
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        gray = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    ph, pw = -gray.shape[0] % 32, -gray.shape[1] % 32
    gray = cv2.copyMakeBorder(gray, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=0)
    x = (gray.astype(np.float32) - 128.0) / 64.0
    return x[None, None], scale


def iou(a: tuple | np.ndarray, b: tuple | np.ndarray) -> float:
    """Compute the intersection over union of two (x, y, w, h) boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def decode(out: np.ndarray, scale: float, threshold: float = THRESHOLD) -> list[Detection]:
    """Turn the network's (5, H, W) map into boxes in image pixels, best first."""
    return suppress(candidates(out, scale, threshold))


def candidates(
    out: np.ndarray, scale: float, threshold: float, widths: tuple[float, float] = (0, np.inf)
) -> list[Detection]:
    """List the heatmap's peaks as image-pixel boxes whose width at the input scale is in widths."""
    heat = 1.0 / (1.0 + np.exp(-out[0]))
    peaks = (heat == cv2.dilate(heat, np.ones((3, 3), np.uint8))) & (heat >= threshold)
    found = []
    for y, x in zip(*np.nonzero(peaks), strict=True):
        w, h = np.exp(out[1, y, x]) * STRIDE, np.exp(out[2, y, x]) * STRIDE
        if not widths[0] <= w <= widths[1]:
            continue
        cx, cy = (x + out[3, y, x]) * STRIDE, (y + out[4, y, x]) * STRIDE
        box = (
            float(cx - w / 2) / scale,
            float(cy - h / 2) / scale,
            float(w) / scale,
            float(h) / scale,
        )
        found.append(Detection(box, float(heat[y, x])))
    return found


def suppress(found: list[Detection]) -> list[Detection]:
    """Keep the best of overlapping boxes, best first, at most MAX_PLATES."""
    kept: list[Detection] = []
    for det in sorted(found, key=lambda d: -d.score):
        if all(iou(det.box, k.box) < 0.3 for k in kept):
            kept.append(det)
        if len(kept) == MAX_PLATES:
            break
    return kept


class PlateDetector:
    """The detector model in an ONNX Runtime session."""

    def __init__(self, path: Path, options: ort.SessionOptions) -> None:
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def detect(self, gray: np.ndarray, threshold: float = THRESHOLD) -> list[Detection]:
        """Find plates in a grayscale image: a full pass, and a half-scale one for large plates."""
        x, scale = to_input(gray)
        (out,) = self.session.run(None, {"image": x})
        found = candidates(out[0], scale, threshold, (0, WIDEST))
        x, half = to_input(gray, int(max(gray.shape) * scale) // 2)
        (out,) = self.session.run(None, {"image": x})
        found += candidates(out[0], half, threshold, (HALF_SCALE_NARROWEST, np.inf))
        return suppress(found)
