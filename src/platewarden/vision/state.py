"""US state (jurisdiction) classifier: a small CNN (ONNX) on a colour plate crop at 80x160.

The OCR's state head sees the plate at 32x128 in grey, where the printed state name is barely
legible and the colours are gone; this model sees the whole plate, name bands and colours at
twice the height. Its probabilities are fused with the OCR head's (fuse).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

STATE_H, STATE_W = 80, 160
# A crop smaller than this on either side holds no legible plate: it gets no state.
MIN_CROP_SIDE = 8


def state_input(crop: np.ndarray | None) -> np.ndarray | None:
    """Turn a BGR or grayscale crop into the model's input (3 x 80 x 160, normalised per crop
    over all channels, so that colours keep their relations); None for a crop too small, empty
    or not an image."""
    if not isinstance(crop, np.ndarray) or crop.ndim not in (2, 3) or crop.size == 0:
        return None
    if min(crop.shape[:2]) < MIN_CROP_SIDE:
        return None
    if crop.ndim == 2 or crop.shape[2] == 1:
        crop = cv2.cvtColor(np.ascontiguousarray(crop.reshape(crop.shape[:2])), cv2.COLOR_GRAY2BGR)
    elif crop.shape[2] == 4:
        crop = cv2.cvtColor(crop, cv2.COLOR_BGRA2BGR)
    elif crop.shape[2] != 3:
        return None
    if crop.dtype != np.uint8:
        crop = cv2.convertScaleAbs(crop)
    x = cv2.resize(crop, (STATE_W, STATE_H), interpolation=cv2.INTER_AREA).astype(np.float32)
    x = (x - x.mean()) / (x.std() + 8.0)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def softmax(x: np.ndarray) -> np.ndarray:
    """Compute a numerically stable softmax over the last axis."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def fuse(model: np.ndarray | None, head: np.ndarray) -> np.ndarray:
    """Fuse the state model's probabilities with the OCR head's: their normalised geometric
    mean (equal weights); the head's alone where the model gave none."""
    if model is None:
        return head
    p = np.sqrt(np.clip(model, 1e-9, 1.0) * np.clip(head, 1e-9, 1.0))
    return p / p.sum()


class PlateState:
    """The state model in an ONNX Runtime session."""

    def __init__(self, path: Path, options: ort.SessionOptions) -> None:
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def probs(self, crops: list[np.ndarray]) -> list[np.ndarray | None]:
        """Give each crop's state probabilities (index 0: not a US plate; then STATES' codes),
        None for a crop too small or empty to read."""
        inputs = [state_input(c) for c in crops]
        batch = [x for x in inputs if x is not None]
        if not batch:
            return [None] * len(crops)
        (logits,) = self.session.run(None, {"image": np.stack(batch)})
        out = iter(softmax(logits))
        return [next(out) if x is not None else None for x in inputs]
