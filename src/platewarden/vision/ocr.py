"""Plate OCR: a small CRNN with CTC (ONNX), decoded by prefix beam search into top-k texts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from platewarden.plate_formats import prefer_region
from platewarden.vision.state import fuse
from platewarden.vision.state_prior import weigh_states

OCR_H, OCR_W = 32, 128
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Index 0 of the model's state output means "not a US plate"; the rest are US postal codes.
STATES = (
    "",
    *[
        "ak",
        "al",
        "ar",
        "az",
        "ca",
        "co",
        "ct",
        "dc",
        "de",
        "fl",
        "ga",
        "hi",
        "ia",
        "id",
        "il",
        "in",
        "ks",
        "ky",
        "la",
        "ma",
        "md",
        "me",
        "mi",
        "mn",
        "mo",
        "ms",
        "mt",
        "nc",
        "nd",
        "ne",
        "nh",
        "nj",
        "nm",
        "nv",
        "ny",
        "oh",
        "ok",
        "or",
        "pa",
        "ri",
        "sc",
        "sd",
        "tn",
        "tx",
        "ut",
        "va",
        "vt",
        "wa",
        "wi",
        "wv",
        "wy",
    ],
)
MIN_STATE_CONFIDENCE = 0.3


@dataclass(frozen=True)
class TextRead:
    """What the OCR reads in one crop."""

    text: str
    confidence: float
    alternatives: list[tuple[str, float]]
    jurisdiction: str | None
    jurisdiction_confidence: float | None


def crop_rect(box: np.ndarray | tuple, margin: float = 0.06) -> tuple[int, int, int, int]:
    """Give the pixel rectangle (x0, y0, x1, y1) that crop_box cuts for box and margin."""
    x, y, w, h = (float(v) for v in box)
    x0, x1 = round(x - margin * w), round(x + w + margin * w)
    y0, y1 = round(y - 1.5 * margin * h), round(y + h + 1.5 * margin * h)
    return x0, y0, max(x1, x0 + 2), max(y1, y0 + 2)


def crop_box(image: np.ndarray, box: np.ndarray | tuple, margin: float = 0.06) -> np.ndarray:
    """Cut box (x, y, w, h) grown by margin from image, replicating edges outside it."""
    x0, y0, x1, y1 = crop_rect(box, margin)
    ih, iw = image.shape[:2]
    pads = (max(0, -y0), max(0, y1 - ih), max(0, -x0), max(0, x1 - iw))
    if any(pads):
        image = cv2.copyMakeBorder(image, *pads, cv2.BORDER_REPLICATE)
        x0, x1, y0, y1 = x0 + pads[2], x1 + pads[2], y0 + pads[0], y1 + pads[0]
    return image[y0:y1, x0:x1]


def prepare(crop: np.ndarray, size: tuple[int, int] = (OCR_W, OCR_H)) -> np.ndarray:
    """Turn a grayscale or BGR crop into a network input: 1 x height x width (size is width,
    height; the OCR's 128x32 unless given), normalised per crop."""
    if crop.ndim == 3:
        crop = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    if crop.shape != size[::-1]:
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    x = crop.astype(np.float32)
    return ((x - x.mean()) / (x.std() + 8.0))[None]


def beam_search(probs: np.ndarray, beam: int = 10, top: int = 3) -> list[tuple[str, float]]:
    """Decode CTC probabilities (T x classes, blank 0) into labelings, most probable first.

    Each step grows the prefixes by its `top` likeliest characters above 1e-3; they are picked
    for every step at once, and the sums run on Python floats (numpy scalars cost several times
    more per operation in this loop).
    """
    likeliest = np.argsort(probs[:, 1:], axis=1)[:, -top:] + 1
    keep = np.take_along_axis(probs, likeliest, axis=1) > 1e-3
    steps = probs.tolist()
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (1.0, 0.0)}
    for p, chars, kept in zip(steps, likeliest.tolist(), keep.tolist(), strict=True):
        cands = [c for c, k in zip(chars, kept, strict=True) if k]
        blank = p[0]
        if not cands:  # a blank step (most are): no prefix grows, so the ranking stands
            beams = {
                k: ((pb + pnb) * blank, pnb * p[k[-1]] if k else 0.0)
                for k, (pb, pnb) in beams.items()
            }
            continue
        nxt: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for prefix, (pb, pnb) in beams.items():
            total = pb + pnb
            nxt[prefix][0] += total * blank
            if prefix:
                nxt[prefix][1] += pnb * p[prefix[-1]]
            for c in cands:
                grown = (*prefix, c)
                nxt[grown][1] += (pb if prefix and c == prefix[-1] else total) * p[c]
        ranked = sorted(nxt.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)[:beam]
        beams = {k: (v[0], v[1]) for k, v in ranked}
    ranked_out = sorted(beams.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)
    return [
        ("".join(ALPHABET[c - 1] for c in k), min(1.0, pb + pnb)) for k, (pb, pnb) in ranked_out
    ]


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Compute a numerically stable softmax."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


class PlateOCR:
    """The OCR model in an ONNX Runtime session."""

    def __init__(self, path: Path, options: ort.SessionOptions) -> None:
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def logits(self, crops: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Run the model on crops; return per-step class logits (N x T x C) and state logits."""
        batch = np.stack([prepare(c) for c in crops])
        chars, states = self.session.run(None, {"image": batch})
        return chars, states

    def decode(self, crops: list[np.ndarray]) -> list[ViewRead]:
        """Decode each crop on its own: its texts, most probable first, and state probabilities."""
        if not crops:
            return []
        chars, states = self.logits(crops)
        return [
            ViewRead(beam_search(softmax(c)), softmax(s))
            for c, s in zip(chars, states, strict=True)
        ]

    def read(
        self,
        plates: list[list[np.ndarray]],
        k: int = 5,
        region: str = "any",
        states: list[np.ndarray | None] | None = None,
    ) -> list[TextRead]:
        """Read the text, top-k alternatives and jurisdiction of each plate from its views.

        Each plate comes as one or more crops of the same plate (cut with different margins);
        states, where given, holds the state model's probabilities for each plate.
        """
        return read_plates([self], plates, k, region, states)


def read_plates(
    models: Sequence[PlateOCR],
    plates: list[list[np.ndarray]],
    k: int = 5,
    region: str = "any",
    states: list[np.ndarray | None] | None = None,
) -> list[TextRead]:
    """Read each plate from its views with every model: each model's decoding of each view is
    one view of the average (combine), all alike."""
    crops = [view for views in plates for view in views]
    decoded = [iter(model.decode(crops)) for model in models]
    given = states if states is not None else [None] * len(plates)
    return [
        combine([next(d) for d in decoded for _ in views], k, region, state)
        for views, state in zip(plates, given, strict=True)
    ]


@dataclass(frozen=True)
class ViewRead:
    """What the OCR reads in one crop of a plate."""

    texts: list[tuple[str, float]]
    states: np.ndarray

    @property
    def best(self) -> float:
        """Return the probability of the most probable non-empty text (0 when none)."""
        return max((p for t, p in self.texts if t), default=0.0)


def combine(
    views: list[ViewRead], k: int = 5, region: str = "any", state: np.ndarray | None = None
) -> TextRead:
    """Read one plate from the decodings of its crops.

    A text's confidence is its probability averaged over the views, so a character that only one
    view gains or loses at the plate's edge is outvoted. With a second OCR model each model's
    decoding of a crop is one view, all weighed alike. Texts are ranked by region's plate
    formats (platewarden.plate_formats.prefer_region). The state is the OCR head's, averaged over
    the views, fused with the state model's probabilities where given (state), and weighed by
    the region's home state where it is one (platewarden.vision.state_prior).
    """
    alts = prefer_region(merge_views([v.texts for v in views]), region)[:k]
    state_p = fuse(state, np.mean([v.states for v in views], axis=0))
    code, state_conf = pick_state(weigh_states(state_p, region, STATES))
    text, conf = alts[0] if alts else ("", 0.0)
    return TextRead(text, conf, alts, code, state_conf)


def pick_state(probs: np.ndarray) -> tuple[str | None, float | None]:
    """Give the likeliest state's code (upper case) and probability; none where it is "not US"
    or below MIN_STATE_CONFIDENCE."""
    s = int(probs.argmax())
    if s == 0 or probs[s] < MIN_STATE_CONFIDENCE:
        return None, None
    return STATES[s].upper(), float(probs[s])


def merge_views(views: list[list[tuple[str, float]]]) -> list[tuple[str, float]]:
    """Average each non-empty text's probability over the views' decodings, most probable first."""
    total: dict[str, float] = defaultdict(float)
    for decoded in views:
        for text, p in decoded:
            if text:
                total[text] += p / len(views)
    return sorted(total.items(), key=lambda kv: kv[1], reverse=True)
