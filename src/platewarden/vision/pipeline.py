"""Find and read plates in an image: detector, then OCR and state model on each crop."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np
import onnxruntime as ort

from platewarden.plate_formats import check_region
from platewarden.vision.corners import PlateCorners, box_corners, rectify
from platewarden.vision.detector import THRESHOLD, Detection, PlateDetector
from platewarden.vision.images import ImageError, check_shape, fit, to_gray
from platewarden.vision.ocr import PlateOCR, TextRead, ViewRead, combine, crop_box, read_plates
from platewarden.vision.plate_check import PlateCheck
from platewarden.vision.state import PlateState

MODELS_DIR = Path(__file__).parent / "models"
MODEL_FILES = ("detector.onnx", "ocr.onnx", "corners.onnx", "state.onnx")
# A second OCR model, optional: where the folder has it, every crop is read by both OCR models and
# their decodings are averaged as the views are (issue 16; MODEL_CARD.md, "OCR round 10").
SECOND_OCR = "ocr_b.onnx"
# The plate check, optional: where the folder has it, it looks again at every box at the image's
# own size; a box it is sure of is reported as a box the detector is sure of is, and a box the
# detector is sure of that it doubts is held to the confidence floor (issue 16; MODEL_CARD.md,
# "The plate check").
PLATE_CHECK = "plate_check.onnx"
OPTIONAL_FILES = (SECOND_OCR, PLATE_CHECK)
CHECKSUMS = "SHA256SUMS"
# A read needs this many characters; a sure plate read shorter is reported with its likeliest
# alternative that has them (issue 16; training/README.md, "Sure plates too blurred to read").
MIN_TEXT = 2
# Below this, reads are nearly all signs, stickers and grilles (on the train split no true plate
# read scored under 0.2, and most false detections under 0.05).
MIN_CONFIDENCE = 0.1
# A box the detector scores this or more (even odds of a plate centre) is reported whenever its
# text has MIN_TEXT characters, however unsure the OCR is of them: far and night plates the
# detector is sure of, which the floor above dropped (issue 16; training/README.md, "Plates the
# detector is sure of"). Its confidence stays the text's, so matching weighs it as low as it is.
SURE_PLATE = 0.5
# The plate check's probability at which a box counts as sure (set on train photos kept out of its
# training: training/train_plate_check.py).
CHECKED_PLATE = 0.84
# A box the detector is sure of and the plate check scores under this is held to the confidence
# floor, as an unsure box is (set on the same photos: 2% of their plates the detector is sure of).
DOUBTFUL_PLATE = 0.65
# Each plate is read from three crops, turned upright along its corners with these margins around
# it (fractions of its size), or for an already-cropped plate cut with these insets and outsets:
# the views vote.
# The first crop of a box is read alone first; a box whose first read scores under this share of
# the confidence floor (most are signs, grilles and lamps) is not read again, which saves the
# OCR a quarter of its crops on the us photos (358 instead of 486).
VIEW_MARGINS = (0.06, 0.03, 0.12)
CROP_VIEW_MARGINS = (-0.03, 0.0, 0.06)
FIRST_VIEW_SHARE = 0.5


class ModelError(RuntimeError):
    """A model file that is missing or does not match its recorded checksum."""


@dataclass(frozen=True)
class PlateRead:
    """One plate read from an image."""

    text: str
    confidence: float
    alternatives: list[tuple[str, float]]
    corners: list[tuple[float, float]]
    box: tuple[int, int, int, int]
    crop: np.ndarray = field(repr=False, compare=False)
    jurisdiction: str | None = None
    jurisdiction_confidence: float | None = None


def sha256(path: Path) -> str:
    """Hash a file with SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_models(models_dir: Path) -> None:
    """Check each model file, and each optional one present, against models_dir/SHA256SUMS;
    raise ModelError on a mismatch."""
    sums_file = models_dir / CHECKSUMS
    if not sums_file.exists():
        raise ModelError(f"no {CHECKSUMS} in {models_dir}")
    expected: dict[str, str] = {}
    for line in sums_file.read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            expected[name] = digest
    optional = tuple(name for name in OPTIONAL_FILES if (models_dir / name).exists())
    for name in (*MODEL_FILES, *optional):
        path = models_dir / name
        if not path.exists():
            raise ModelError(f"missing model {path}")
        if expected.get(name) != sha256(path):
            raise ModelError(f"checksum mismatch for {path}")


def clip_box(box: tuple, shape: tuple) -> tuple[float, float, float, float]:
    """Clip an (x, y, w, h) box to an image of the given shape."""
    x, y, w, h = box
    x0, y0 = min(max(0.0, x), shape[1] - 1.0), min(max(0.0, y), shape[0] - 1.0)
    x1, y1 = max(min(float(shape[1]), x + w), x0 + 1.0), max(min(float(shape[0]), y + h), y0 + 1.0)
    return x0, y0, x1 - x0, y1 - y0


def clip_point(point: tuple[float, float], shape: tuple) -> tuple[float, float]:
    """Move a point (x, y) into an image of the given shape."""
    return min(max(0.0, point[0]), float(shape[1])), min(max(0.0, point[1]), float(shape[0]))


def holding(box: tuple, points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Grow an (x, y, w, h) box to hold the points: a tilted plate's corners stick out of the
    detector's box (issue 16; training/README.md, "Boxes that hold the plate")."""
    xs = [box[0], box[0] + box[2], *(px for px, _ in points)]
    ys = [box[1], box[1] + box[3], *(py for _, py in points)]
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def long_enough(text: TextRead) -> TextRead:
    """Give the read with its likeliest text of MIN_TEXT characters or more first (the text
    itself where it has them): a sure plate too far or blurred to read is reported with the
    best guess its alternatives hold, at that guess's low confidence."""
    if len(text.text) >= MIN_TEXT:
        return text
    longer = next(((t, p) for t, p in text.alternatives if len(t) >= MIN_TEXT), None)
    if longer is None:
        return text
    rest = [a for a in text.alternatives if a != longer]
    return replace(text, text=longer[0], confidence=longer[1], alternatives=[longer, *rest])


def with_state(text: TextRead, model: bool, probs: np.ndarray | None) -> TextRead:
    """Give text without a state where the state model was asked and found the crop unreadable
    (too small or empty): what the OCR head alone says of such a crop is not kept."""
    if model and probs is None:
        return replace(text, jurisdiction=None, jurisdiction_confidence=None)
    return text


class Recognizer:
    """The detector, the OCR, the corner model and the state model, loaded once.

    Without a state model (state None) the state is the OCR head's alone. With a second OCR model
    (ocr_b) both read every crop read, and each decoding is one view of the plate's average. With
    a plate check (check) a box it is sure of is kept as a box the detector is sure of, and a box
    the detector is sure of that it doubts is not.
    """

    def __init__(
        self,
        detector: PlateDetector,
        ocr: PlateOCR,
        corners: PlateCorners,
        region: str = "any",
        state: PlateState | None = None,
        *,
        ocr_b: PlateOCR | None = None,
        check: PlateCheck | None = None,
    ) -> None:
        self.detector = detector
        self.ocr = ocr
        self.corners = corners
        self.region = check_region(region)
        self.state = state
        self.ocr_b = ocr_b
        self.check = check

    @classmethod
    def load(
        cls, models_dir: Path | str | None = None, threads: int = 0, region: str = "any"
    ) -> Recognizer:
        """Load and verify the ONNX models (from the package unless models_dir is given).

        region names the plate formats to prefer (platewarden.plate_formats), "any" for none.
        """
        folder = Path(models_dir) if models_dir else MODELS_DIR
        verify_models(folder)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        # Threads wait for work asleep, not spinning: each model has its own pool, and a pool
        # spinning after its run takes the cores the next model (or the database, the API,
        # another worker) needs. benchmarks/recognition.py on the quiet 2-core machine: median
        # 18.3-19.8 ms, p95 24.5-28.3 asleep; 30.8-33.0 and 46.8-53.9 spinning.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        second, check = folder / SECOND_OCR, folder / PLATE_CHECK
        return cls(
            PlateDetector(folder / "detector.onnx", options),
            PlateOCR(folder / "ocr.onnx", options),
            PlateCorners(folder / "corners.onnx", options),
            region,
            PlateState(folder / "state.onnx", options),
            ocr_b=PlateOCR(second, options) if second.exists() else None,
            check=PlateCheck(check, options) if check.exists() else None,
        )

    def recognize(
        self,
        image: np.ndarray,
        threshold: float = THRESHOLD,
        min_confidence: float = MIN_CONFIDENCE,
        sure_plate: float = SURE_PLATE,
    ) -> list[PlateRead]:
        """Find and read every plate in a BGR or grayscale image, the likeliest plate first.

        A read is kept when its confidence is min_confidence or more, or when its box is sure: the
        detector's score is sure_plate or more (and the plate check's, where there is one,
        DOUBTFUL_PLATE or more), or the plate check's CHECKED_PLATE. A text needs MIN_TEXT
        characters; a sure box read shorter is reported with its likeliest alternative that has
        them (long_enough). An image too small or narrow to hold a plate (a damaged video frame)
        holds none.
        """
        if isinstance(image, np.ndarray) and image.ndim in (2, 3) and image.size:
            try:
                check_shape(image.shape[1], image.shape[0])
            except ImageError:
                return []
        gray = to_gray(image)
        # The state model reads colour: the image as to_gray scaled it, so the corners fit it.
        colour = fit(image) if image.ndim == 3 and image.shape[2] in (3, 4) else gray
        scale = gray.shape[1] / image.shape[1]
        found = self.detector.detect(gray, threshold)
        quads = self.corners.find(gray, [d.box for d in found])
        sure = self._sure(gray, found, sure_plate)
        # A first crop of every plate; the others only of plates whose first reads like a plate.
        firsts = [rectify(gray, q, VIEW_MARGINS[0]) for q in quads]
        first = self.ocr.decode(firsts)
        likely = [
            i
            for i, (d, v) in enumerate(zip(found, first, strict=True))
            if v.best * d.score**0.25 >= min_confidence * FIRST_VIEW_SHARE or sure[i]
        ]
        crops = [rectify(gray, quads[i], m) for i in likely for m in VIEW_MARGINS[1:]]
        more = iter(self.ocr.decode(crops))
        second = iter(self._second(firsts, crops, likely))
        kept = []
        for i in likely:
            views = [first[i], *(next(more) for _ in VIEW_MARGINS[1:])]
            views += [next(second) for _ in VIEW_MARGINS] if self.ocr_b is not None else []
            text = combine(views, region=self.region)
            text = long_enough(text) if sure[i] else text
            confidence = text.confidence * found[i].score ** 0.25
            if len(text.text) >= MIN_TEXT and (confidence >= min_confidence or sure[i]):
                kept.append((i, views, confidence))
        states = self._states([rectify(colour, quads[i], VIEW_MARGINS[0]) for i, _, _ in kept])
        reads = []
        for (i, views, confidence), probs in zip(kept, states, strict=True):
            det = found[i]
            text = combine(views, region=self.region, state=probs)
            text = with_state(long_enough(text) if sure[i] else text, bool(self.state), probs)
            corners = [clip_point((cx / scale, cy / scale), image.shape) for cx, cy in quads[i]]
            box = holding(tuple(v / scale for v in det.box), corners)
            x, y, w, h = clip_box(box, image.shape)
            reads.append(
                PlateRead(
                    text=text.text,
                    confidence=confidence,
                    alternatives=text.alternatives,
                    corners=corners,
                    box=(round(x), round(y), round(w), round(h)),
                    crop=crop_box(image, (x, y, w, h)).copy(),
                    jurisdiction=text.jurisdiction,
                    jurisdiction_confidence=text.jurisdiction_confidence,
                )
            )
        return reads

    def _sure(self, gray: np.ndarray, found: list[Detection], sure_plate: float) -> list[bool]:
        """Tell which boxes are sure plates: by the detector's score, unless the plate check
        doubts the box, or by the plate check's alone."""
        sure = [d.score >= sure_plate for d in found]
        if self.check is None or not found:
            return sure
        probs = self.check.score(gray, [d.box for d in found])
        return [
            bool(p >= DOUBTFUL_PLATE if s else p >= CHECKED_PLATE)
            for s, p in zip(sure, probs, strict=True)
        ]

    def read_crops(self, crops: list[np.ndarray]) -> list[PlateRead]:
        """Read already-cropped plates (the OCR alone)."""
        grays = [to_gray(c) for c in crops]
        out = []
        views = [[crop_box(g, (0, 0, *g.shape[::-1]), m) for m in CROP_VIEW_MARGINS] for g in grays]
        states = self._states(crops)
        models = [self.ocr, self.ocr_b] if self.ocr_b is not None else [self.ocr]
        texts = read_plates(models, views, region=self.region, states=states)
        for crop, gray, read, probs in zip(crops, grays, texts, states, strict=True):
            text = with_state(read, bool(self.state), probs)
            h, w = gray.shape
            out.append(
                PlateRead(
                    text.text,
                    text.confidence,
                    text.alternatives,
                    box_corners((0, 0, w, h)),
                    (0, 0, w, h),
                    crop,
                    text.jurisdiction,
                    text.jurisdiction_confidence,
                )
            )
        return out

    def _second(
        self, firsts: list[np.ndarray], crops: list[np.ndarray], likely: list[int]
    ) -> list[ViewRead]:
        """Decode with the second OCR model (none without it) the crops the first read of the
        likely plates, each plate's first crop and then its others (crops), in one run: what it
        would make of the other plates' first crops is never used, so it does not read them."""
        if self.ocr_b is None:
            return []
        per_plate = len(VIEW_MARGINS) - 1
        ordered = [
            c
            for n, i in enumerate(likely)
            for c in (firsts[i], *crops[n * per_plate : (n + 1) * per_plate])
        ]
        return self.ocr_b.decode(ordered)

    def _states(self, crops: list[np.ndarray]) -> list[np.ndarray | None]:
        """Give the state model's probabilities for each crop (None each without the model)."""
        return self.state.probs(crops) if self.state else [None] * len(crops)


@cache
def default_recognizer() -> Recognizer:
    """Load the packaged models once per process."""
    return Recognizer.load()


def recognize(image: np.ndarray) -> list[PlateRead]:
    """Find and read every plate in image with the packaged models."""
    return default_recognizer().recognize(image)
