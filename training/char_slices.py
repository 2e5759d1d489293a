"""Real plates with new texts: each train crop cut into its characters' slices, the slices drawn
again in a new order (issue 16, OCR round 11).

The OCR reads a train plate in the plate's own font, colours and dirt, but only the 1,078 texts
the train split holds; a model can learn those texts rather than their characters. Here the
committed OCR aligns each train plate's known text to its crop (CTC forced alignment: the step at
which each character is emitted), the crop is cut half-way between neighbouring characters, and
a new plate is made from the same plate's slices: its characters drawn again with replacement,
as many as it had, one fewer or one more. The new plate keeps the old one's look and state;
only its text is new. Plates whose alignment is doubtful (the OCR does not read the label, or
the characters' spacing is uneven) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from platewarden.vision.ocr import ALPHABET, PlateOCR, crop_box, softmax
from training.samples import RealItem

# Above and below the box, the share of its height each slice keeps, so that a jittered box
# still finds the plate's frame around the text.
ROW_MARGIN = 0.3
# Left of the first character and right of the last, the share of the box's width kept.
SIDE_MARGIN = 0.3
# A plate whose character spacing varies more than this (largest over smallest gap between
# neighbouring character centres) is not sliced: its alignment is doubtful, or its characters
# are grouped with a wide separator that a new order would put between the wrong ones.
MAX_SPACING_RATIO = 2.5
# Each cut moves to the quietest column (least vertical-edge energy) within this share of the
# character spacing of where the alignment puts it, and the plate is left out where that column
# is busier than QUIET times the median column of its text.
SNAP_WINDOW = 0.35
# The rows, as shares of the box's height from its top, whose edges say where characters are
# (a US plate's state name above and slogan below would fill the gaps between them).
TEXT_ROWS = (0.3, 0.75)
QUIET = 0.4


@dataclass(frozen=True)
class Sliced:
    """A real plate cut into slices: the left margin, one per character, the right margin."""

    left: np.ndarray
    chars: list[tuple[str, np.ndarray]]
    right: np.ndarray
    pad: int  # rows above (and below) the box in every slice
    state: str | None


def forced_alignment(log_probs: np.ndarray, labels: list[int]) -> list[int] | None:
    """Give the step at which CTC's likeliest path for labels emits each label (None where the
    steps are too few). log_probs: T x classes, blank 0."""
    steps, n = log_probs.shape[0], len(labels)
    ext = [0]
    for c in labels:
        ext += [c, 0]
    s = len(ext)
    if n == 0 or steps < n:
        return None
    score = np.full((steps, s), -np.inf)
    back = np.zeros((steps, s), dtype=np.int64)
    score[0, 0] = log_probs[0, 0]
    score[0, 1] = log_probs[0, ext[1]]
    for t in range(1, steps):
        for j in range(s):
            moves = [j]
            if j >= 1:
                moves.append(j - 1)
            if j >= 2 and ext[j] != 0 and ext[j] != ext[j - 2]:
                moves.append(j - 2)
            best = max(moves, key=lambda m: score[t - 1, m])
            score[t, j] = score[t - 1, best] + log_probs[t, ext[j]]
            back[t, j] = best
    j = s - 1 if score[-1, s - 1] >= score[-1, s - 2] else s - 2
    path = [j]
    for t in range(steps - 1, 0, -1):
        j = back[t, j]
        path.append(j)
    path.reverse()
    emitted: list[int] = []
    previous = -1
    for t, j in enumerate(path):
        if j % 2 == 1 and j != previous:
            emitted.append(t)
        previous = j
    return emitted if len(emitted) == n else None


def slice_plate(item: RealItem, ocr: PlateOCR) -> Sliced | None:
    """Cut a real plate into its characters' slices, or None where the cut is doubtful."""
    text = "".join(c for c in item.text if c in ALPHABET)
    if len(text) < 2:
        return None
    crop = crop_box(item.region, item.box, margin=0.0)
    view = ocr.decode([crop])[0]
    if not view.texts or view.texts[0][0] != text:
        return None
    chars, _ = ocr.logits([crop])
    log_probs = np.log(softmax(chars[0]) + 1e-9)
    steps = forced_alignment(log_probs, [ALPHABET.index(c) + 1 for c in text])
    if steps is None:
        return None
    x, y, w, h = item.box
    centres = x + (np.array(steps, float) + 0.5) * w / log_probs.shape[0]
    gaps = np.diff(centres)
    if gaps.min() <= 0 or gaps.max() / gaps.min() > MAX_SPACING_RATIO:
        return None
    pad = round(ROW_MARGIN * h)
    shift = round(w)
    band = crop_box(item.region, (0, y - pad, item.region.shape[1], h + 2 * pad), margin=0.0)
    band = cv2.copyMakeBorder(band, 0, 0, shift, shift, cv2.BORDER_REPLICATE)
    top, bottom = (pad + round(share * h) for share in TEXT_ROWS)
    cuts = snap_cuts(band[top:bottom], centres + shift, gaps)
    if cuts is None:
        return None
    left_edge = max(0, round(x - SIDE_MARGIN * w) + shift)
    right_edge = min(band.shape[1], round(x + w + SIDE_MARGIN * w) + shift)
    if cuts[0] <= left_edge or cuts[-1] >= right_edge:
        return None
    return Sliced(
        band[:, left_edge : cuts[0]],
        [(c, band[:, cuts[i] : cuts[i + 1]]) for i, c in enumerate(text)],
        band[:, cuts[-1] : right_edge],
        pad,
        item.state,
    )


def snap_cuts(text_rows: np.ndarray, centres: np.ndarray, gaps: np.ndarray) -> np.ndarray | None:
    """Place each cut (before the first character, between neighbours, after the last) at the
    column with the least vertical-edge energy near where the alignment puts it, or None where a
    cut finds no quiet column (it would cut a character)."""
    rows = text_rows.astype(np.float32)
    energy = np.abs(cv2.Sobel(rows, cv2.CV_32F, 1, 0, ksize=3)).sum(axis=0)
    energy = np.convolve(energy, np.ones(3, np.float32) / 3, mode="same")
    g = np.concatenate([[gaps[0]], gaps, [gaps[-1]]])
    mids = np.concatenate(
        [[centres[0] - g[0] / 2], (centres[:-1] + centres[1:]) / 2, [centres[-1] + g[-1] / 2]]
    )
    cuts = []
    for mid, gap in zip(mids, g, strict=True):
        lo = max(0, round(mid - SNAP_WINDOW * gap))
        hi = min(len(energy), round(mid + SNAP_WINDOW * gap) + 1)
        if hi - lo < 2:
            return None
        cuts.append(lo + int(np.argmin(energy[lo:hi])))
    cuts_arr = np.array(cuts)
    inside = energy[cuts_arr[0] : cuts_arr[-1]]
    if np.any(np.diff(cuts_arr) < 2) or energy[cuts_arr].max() > QUIET * np.median(inside):
        return None
    return cuts_arr


def new_plate(sliced: Sliced, rng: np.random.Generator) -> RealItem:
    """Make a plate of the same look with a new text: the plate's characters drawn again with
    replacement, as many as it had, one fewer or one more (at least 2, at most 8)."""
    n = len(sliced.chars)
    size = int(np.clip(n + rng.integers(-1, 2), 2, 8))
    picks = [sliced.chars[i] for i in rng.integers(n, size=size)]
    height = sliced.left.shape[0]
    parts = [sliced.left, *(s for _, s in picks), sliced.right]
    image = np.concatenate([p[:height] for p in parts], axis=1)
    width = sum(p.shape[1] for p in parts[1:-1])
    box = np.array([sliced.left.shape[1], sliced.pad, width, height - 2 * sliced.pad], dtype=float)
    return RealItem(image, box, "".join(c for c, _ in picks), sliced.state)
