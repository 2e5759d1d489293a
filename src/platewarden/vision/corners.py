"""Plate corners: a small CNN (ONNX) that places the four corners of a tilted plate in its box."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from platewarden.vision.detector import iou
from platewarden.vision.ocr import crop_box, crop_rect, prepare

CORNER_W, CORNER_H = 144, 48
# The box is grown by this margin before the corners are looked for: a detector's box may cut
# a corner off.
CORNER_MARGIN = 0.15
# Corners whose bounding rectangle overlaps the detector's box less than this are not trusted.
MIN_BOX_IOU = 0.5

Corners = list[tuple[float, float]]


def box_corners(box: tuple | np.ndarray) -> Corners:
    """Give the corners of an upright box (x, y, w, h), clockwise from the top left."""
    x, y, w, h = (float(v) for v in box)
    return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


def corners_input(gray: np.ndarray, box: tuple | np.ndarray) -> np.ndarray:
    """Cut the network's input for box from a grayscale image: 1 x 48 x 144, normalised."""
    return prepare(crop_box(gray, box, CORNER_MARGIN), (CORNER_W, CORNER_H))


def to_image(uv: np.ndarray, box: tuple | np.ndarray) -> Corners:
    """Map corners given as fractions of box's grown crop (4 x 2) back to image pixels."""
    x0, y0, x1, y1 = crop_rect(box, CORNER_MARGIN)
    return [(float(x0 + u * (x1 - x0)), float(y0 + v * (y1 - y0))) for u, v in uv]


def plausible(corners: Corners, box: tuple | np.ndarray) -> bool:
    """Tell whether corners make a convex quadrilateral in order that covers most of box."""
    quad = np.array(corners, np.float32)
    edges = np.roll(quad, -1, axis=0) - quad
    following = np.roll(edges, -1, axis=0)
    turns = edges[:, 0] * following[:, 1] - edges[:, 1] * following[:, 0]
    if not (turns > 0).all():  # clockwise in image coordinates: top left, top right, ...
        return False
    x, y = quad.min(axis=0)
    w, h = quad.max(axis=0) - (x, y)
    return iou((x, y, w, h), box) >= MIN_BOX_IOU


def rectify(gray: np.ndarray, corners: Corners, margin: float) -> np.ndarray:
    """Cut the plate within corners turned upright, with margin around it as crop_box leaves."""
    quad = np.array(corners, np.float32)
    (tl, tr, br, bl) = quad
    w = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    h = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    mx, my = margin * w, 1.5 * margin * h
    upright = np.array([[mx, my], [mx + w, my], [mx + w, my + h], [mx, my + h]], np.float32)
    size = (max(2, round(w + 2 * mx)), max(2, round(h + 2 * my)))
    m = cv2.getPerspectiveTransform(quad, upright)
    return cv2.warpPerspective(gray, m, size, borderMode=cv2.BORDER_REPLICATE)


class PlateCorners:
    """The corner model in an ONNX Runtime session."""

    def __init__(self, path: Path, options: ort.SessionOptions) -> None:
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def find(self, gray: np.ndarray, boxes: list[tuple]) -> list[Corners]:
        """Place the corners of the plate in each box; the box's own where the model is unsure."""
        if not boxes:
            return []
        batch = np.stack([corners_input(gray, b) for b in boxes])
        (uv,) = self.session.run(None, {"image": batch})
        out = []
        for box, pred in zip(boxes, uv, strict=True):
            corners = to_image(pred.reshape(4, 2), box)
            out.append(corners if plausible(corners, box) else box_corners(box))
        return out
