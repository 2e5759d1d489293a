"""The recognizer on the seeded synthetic set: accuracy, the PlateRead shape, odd images."""

import re
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.unit.vision.synthetic import make_close_up

from platewarden.vision import PlateRead, Recognizer, recognize
from platewarden.vision.detector import iou
from platewarden.vision.ocr import TextRead, ViewRead
from platewarden.vision.pipeline import (
    CHECKED_PLATE,
    CHECKSUMS,
    DOUBTFUL_PLATE,
    MODEL_FILES,
    MODELS_DIR,
    PLATE_CHECK,
    SECOND_OCR,
    long_enough,
    sha256,
)

# The stated accuracy on the synthetic set (clean plates, 120-220 px wide).
MIN_DETECTION = 0.9
MIN_EXACT = 0.75


def _match(reads: list[PlateRead], box: tuple) -> PlateRead | None:
    best = max(reads, key=lambda r: iou(r.box, box), default=None)
    return best if best is not None and iou(best.box, box) > 0.4 else None


def test_recognizer_finds_and_reads_synthetic_plates(recognizer: Recognizer, scenes: list) -> None:
    matches = [_match(recognizer.recognize(s.image), s.box) for s in scenes]
    detected = [m for m in matches if m is not None]
    exact = [m for m, s in zip(matches, scenes, strict=True) if m is not None and m.text == s.text]
    assert len(detected) / len(scenes) >= MIN_DETECTION
    assert len(exact) / len(scenes) >= MIN_EXACT


def test_ocr_alone_reads_synthetic_crops(recognizer: Recognizer, scenes: list) -> None:
    reads = recognizer.read_crops([s.plate for s in scenes])
    exact = sum(r.text == s.text for r, s in zip(reads, scenes, strict=True))
    assert exact / len(scenes) >= MIN_EXACT


def test_plate_read_has_the_promised_fields(recognizer: Recognizer, scenes: list) -> None:
    read = _match(recognizer.recognize(scenes[0].image), scenes[0].box)
    assert read is not None
    assert re.fullmatch(r"[A-Z0-9]+", read.text)
    assert 0.0 <= read.confidence <= 1.0
    assert len(read.alternatives) >= 5
    assert read.alternatives[0][0] == read.text
    probs = [p for _, p in read.alternatives]
    assert probs == sorted(probs, reverse=True)
    assert len(read.corners) == 4
    assert all(isinstance(v, int) for v in read.box)
    assert read.crop.ndim == 3 and read.crop.size > 0
    assert read.jurisdiction is None or re.fullmatch(r"[A-Z]{2}", read.jurisdiction)


def test_grayscale_frame_reads_like_colour(recognizer: Recognizer, scenes: list) -> None:
    scene = scenes[1]
    gray = cv2.cvtColor(scene.image, cv2.COLOR_BGR2GRAY)
    colour = [r.text for r in recognizer.recognize(scene.image)]
    assert [r.text for r in recognizer.recognize(gray)] == colour
    assert [r.text for r in recognizer.recognize(gray[..., None])] == colour


def test_frame_without_plate_gives_empty_list(recognizer: Recognizer) -> None:
    assert recognizer.recognize(np.full((720, 1280, 3), 127, np.uint8)) == []
    assert recognizer.recognize(np.zeros((5, 5), np.uint8)) == []


def test_huge_frame_is_downscaled_and_boxes_stay_in_image_coordinates(
    recognizer: Recognizer, scenes: list
) -> None:
    scene = scenes[2]
    big = cv2.resize(scene.image, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)  # 5120x2880
    read = _match(recognizer.recognize(big), tuple(4 * v for v in scene.box))
    assert read is not None


def test_module_level_recognize_uses_the_packaged_models(scenes: list) -> None:
    scene = scenes[5]
    assert _match(recognize(scene.image), scene.box) is not None


def _with_check(recognizer: Recognizer, check: object | None) -> Recognizer:
    """The recognizer's models with another plate check (None: without one)."""
    return Recognizer(
        recognizer.detector,
        recognizer.ocr,
        recognizer.corners,
        state=recognizer.state,
        ocr_b=recognizer.ocr_b,
        check=check,  # type: ignore[arg-type]
    )


def test_the_packaged_plate_check_is_loaded(recognizer: Recognizer) -> None:
    assert recognizer.check is not None


def test_min_confidence_filters_reads(recognizer: Recognizer, scenes: list) -> None:
    reader = _with_check(recognizer, None)
    assert reader.recognize(scenes[6].image, min_confidence=1.01, sure_plate=1.01) == []


def test_a_plate_the_detector_is_sure_of_is_kept_below_the_floor(
    recognizer: Recognizer, scenes: list
) -> None:
    # No text is confident enough for a floor above 1: the detector's score alone keeps the plate.
    scene = scenes[6]
    reader = _with_check(recognizer, None)
    read = _match(reader.recognize(scene.image, min_confidence=1.01), scene.box)
    assert read is not None
    assert read.confidence < 1.01
    assert (
        _match(reader.recognize(scene.image, min_confidence=1.01, sure_plate=1.01), scene.box)
        is None
    )


class _Check:
    """A plate check that gives every box it is asked about the same probability."""

    def __init__(self, probability: float) -> None:
        self.probability = probability
        self.asked = 0

    def score(self, gray: np.ndarray, boxes: list[tuple]) -> np.ndarray:
        self.asked += len(boxes)
        return np.full(len(boxes), self.probability)


def test_a_box_the_plate_check_is_sure_of_is_kept_below_the_floor(
    recognizer: Recognizer, scenes: list
) -> None:
    # Neither the text (floor above 1) nor the detector's score (sure above 1) keeps the plate:
    # the plate check's probability alone decides.
    scene = scenes[6]

    def read_with(probability: float) -> PlateRead | None:
        check = _Check(probability)
        reads = _with_check(recognizer, check).recognize(
            scene.image, min_confidence=1.01, sure_plate=1.01
        )
        assert check.asked >= 1
        return _match(reads, scene.box)

    assert read_with(CHECKED_PLATE) is not None
    assert read_with(CHECKED_PLATE - 0.01) is None


def test_a_box_the_plate_check_doubts_is_held_to_the_floor(
    recognizer: Recognizer, scenes: list
) -> None:
    # The detector is sure of every box (sure_plate 0) and no text passes a floor above 1: the
    # plate check's doubt alone decides.
    scene = scenes[6]

    def read_with(probability: float) -> PlateRead | None:
        reader = _with_check(recognizer, _Check(probability))
        return _match(reader.recognize(scene.image, min_confidence=1.01, sure_plate=0.0), scene.box)

    assert read_with(DOUBTFUL_PLATE) is not None
    assert read_with(DOUBTFUL_PLATE - 0.01) is None


def test_a_short_read_gives_way_to_its_likeliest_longer_alternative() -> None:
    short = TextRead("7", 0.4, [("7", 0.4), ("7A", 0.2), ("A", 0.1), ("7AB", 0.05)], None, None)
    read = long_enough(short)
    assert (read.text, read.confidence) == ("7A", 0.2)
    assert read.alternatives == [("7A", 0.2), ("7", 0.4), ("A", 0.1), ("7AB", 0.05)]
    whole = TextRead("7AB", 0.4, [("7AB", 0.4), ("7", 0.3)], None, None)
    assert long_enough(whole) is whole
    unreadable = TextRead("7", 0.4, [("7", 0.4), ("1", 0.2)], None, None)
    assert long_enough(unreadable) is unreadable


class _OneCharacterOCR:
    """An OCR whose likeliest reading of every crop is one character, with longer ones behind."""

    def __init__(self, ocr: object) -> None:
        self.ocr = ocr

    def decode(self, crops: list[np.ndarray]) -> list[ViewRead]:
        states = [v.states for v in self.ocr.decode(crops)]  # type: ignore[attr-defined]
        return [ViewRead([("7", 0.5), ("7A1", 0.3), ("1", 0.1)], s) for s in states]


def test_a_sure_plate_read_as_one_character_is_reported_with_a_longer_guess(
    recognizer: Recognizer, scenes: list
) -> None:
    # Far plates the detector is sure of often read as one character: such a box is reported with
    # its likeliest text of two characters; a box the reader is not sure of still needs two.
    scene = scenes[6]
    reader = Recognizer(
        recognizer.detector,
        _OneCharacterOCR(recognizer.ocr),  # type: ignore[arg-type]
        recognizer.corners,
        state=recognizer.state,
    )
    sure = _match(reader.recognize(scene.image, sure_plate=0.0), scene.box)
    assert sure is not None
    assert sure.text == "7A1"
    assert sure.alternatives[:2] == [("7A1", pytest.approx(0.3)), ("7", pytest.approx(0.5))]
    assert sure.confidence < 0.3
    assert (
        _match(reader.recognize(scene.image, min_confidence=0.0, sure_plate=1.01), scene.box)
        is None
    )


def test_plate_filling_the_frame_is_found_whole(recognizer: Recognizer) -> None:
    # Wider than any plate the detector saw in training at full scale: the half-scale pass finds it.
    rng = np.random.default_rng(5)
    scenes = [make_close_up(rng) for _ in range(4)]
    found = [_match(recognizer.recognize(s.image), s.box) for s in scenes]
    assert all(m is not None for m in found)
    assert sum(m.text == s.text for m, s in zip(found, scenes, strict=True) if m) >= 3


def test_an_unknown_region_is_refused(recognizer: Recognizer) -> None:
    with pytest.raises(ValueError, match="'mars' is not a plate region"):
        Recognizer(recognizer.detector, recognizer.ocr, recognizer.corners, "mars")


def _folder(tmp_path: Path, name: str, second: bool) -> Path:
    """Copy the packaged models, with ocr.onnx also as the second OCR model or without one (and
    without the plate check)."""
    folder = tmp_path / name
    shutil.copytree(MODELS_DIR, folder)
    (folder / SECOND_OCR).unlink(missing_ok=True)
    (folder / PLATE_CHECK).unlink(missing_ok=True)
    names = [*MODEL_FILES, *((SECOND_OCR,) if second else ())]
    if second:
        shutil.copy(folder / "ocr.onnx", folder / SECOND_OCR)
    (folder / CHECKSUMS).write_text("".join(f"{sha256(folder / n)}  {n}\n" for n in names))
    return folder


def test_a_second_ocr_model_is_averaged_with_the_first_plate_by_plate(
    scenes: list, tmp_path: Path
) -> None:
    # Two identical models average to what one reads: any decoding given to the wrong plate (two
    # plates in the frame, boxes the gate drops) would change a text or a confidence.
    one = Recognizer.load(_folder(tmp_path, "one", second=False))
    both = Recognizer.load(_folder(tmp_path, "both", second=True))
    assert one.ocr_b is None and both.ocr_b is not None
    image = scenes[3].image.copy()
    x, y, w, h = scenes[4].box
    image[y : y + h, x : x + w] = scenes[4].image[y : y + h, x : x + w]
    alone, averaged = one.recognize(image), both.recognize(image)
    assert len(alone) >= 2
    assert [r.text for r in averaged] == [r.text for r in alone]
    assert [r.confidence for r in averaged] == pytest.approx([r.confidence for r in alone])
    assert [r.jurisdiction for r in averaged] == [r.jurisdiction for r in alone]
    crops = [s.plate for s in scenes[:4]]
    assert [(r.text, r.confidence) for r in both.read_crops(crops)] == [
        (r.text, pytest.approx(r.confidence)) for r in one.read_crops(crops)
    ]
