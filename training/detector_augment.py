"""Harder training windows for the detector: small, turned, narrow, night and motion-blurred plates.

Each function takes a grayscale window and its plates' boxes (an (n, 4) array of x, y, w, h)
and gives both back changed alike.
"""

from __future__ import annotations

import cv2
import numpy as np

from training.detection_sets import turn_boxes

# The smallest plate the detector is taught to find, in px tall at its input (a 12 px plate of
# a 1280x720 frame is 6 px there); smaller plates are neither taught nor punished (ignored).
SMALLEST = 4.0
SMALL_HEIGHTS = (7.0, 20.0)
MAX_TURN = 30.0
# A plate seen from the side shows NARROWEST to LEAST_NARROWED of its width (squeeze).
NARROWEST, LEAST_NARROWED = 0.4, 0.8


def small_plate_scale(
    boxes: np.ndarray, rng: np.random.Generator, heights: tuple[float, float] = SMALL_HEIGHTS
) -> float | None:
    """Give a scale that makes one of the plates heights px tall, log-uniform (None without a
    plate)."""
    if not len(boxes):
        return None
    height = boxes[rng.integers(len(boxes)), 3]
    target = float(np.exp(rng.uniform(*np.log(heights))))
    return target / max(float(height), 1.0)


def turn(
    img: np.ndarray, boxes: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Turn the window about its centre by up to 30 degrees; boxes become the turned bounds."""
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-MAX_TURN, MAX_TURN)), 1.0)
    out = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    moved = turn_boxes(boxes, m)
    cx, cy = moved[:, 0] + moved[:, 2] / 2, moved[:, 1] + moved[:, 3] / 2
    keep = (cx > 0) & (cy > 0) & (cx < w) & (cy < h)
    return out, moved[keep]


def squeeze(
    img: np.ndarray, boxes: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Make the image NARROWEST to LEAST_NARROWED as wide (log-uniform), its height kept, as a
    car seen from the side shows its plate."""
    f = float(np.exp(rng.uniform(np.log(NARROWEST), np.log(LEAST_NARROWED))))
    out = cv2.resize(
        img, (max(1, round(img.shape[1] * f)), img.shape[0]), interpolation=cv2.INTER_AREA
    )
    return out, boxes * np.array([f, 1.0, f, 1.0])


def night_look(img: np.ndarray, boxes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Make the window dark and grainy, or infrared grey with the plates bright (they reflect)."""
    x = img.astype(np.float32) / 255
    if rng.random() < 0.5:
        x = x ** rng.uniform(1.4, 2.6) * rng.uniform(50, 160)
    else:
        x = cv2.equalizeHist(img).astype(np.float32) * rng.uniform(0.3, 0.6) + rng.uniform(30, 80)
        gain = rng.uniform(1.0, 1.6)
        for bx, by, bw, bh in boxes.astype(int):
            region = x[max(by, 0) : by + bh, max(bx, 0) : bx + bw]
            region *= gain
    x += rng.normal(0, rng.uniform(2, 9), x.shape)
    return np.clip(x, 0, 255).astype(np.uint8)


def motion_blur(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Blur along a line 3-13 px long, within 20 degrees of the horizontal."""
    n = int(rng.integers(3, 14))
    kernel = np.zeros((n, n), np.float32)
    kernel[n // 2] = 1.0
    m = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), float(rng.uniform(-20, 20)), 1.0)
    kernel = cv2.warpAffine(kernel, m, (n, n))
    return cv2.filter2D(img, -1, kernel / max(float(kernel.sum()), 1e-6))
