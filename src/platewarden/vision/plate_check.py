"""The plate check: a small CNN (ONNX) that looks again at a detector's box at the image's size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort

from platewarden.vision.corners import corners_input


class PlateCheck:
    """The plate check in an ONNX Runtime session."""

    def __init__(self, path: Path, options: ort.SessionOptions) -> None:
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def score(self, gray: np.ndarray, boxes: list[tuple]) -> np.ndarray:
        """Give each box's probability of holding a plate (the corner model's crop of it)."""
        if not boxes:
            return np.zeros(0, np.float32)
        batch = np.stack([corners_input(gray, b) for b in boxes])
        (logits,) = self.session.run(None, {"image": batch})
        return 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
