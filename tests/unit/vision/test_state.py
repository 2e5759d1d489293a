"""The state model: loaded with the others, reads a rendered plate's state, refuses bad crops."""

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from tests.unit.vision.synthetic import FONT, render_plate

from platewarden.vision import Recognizer
from platewarden.vision.ocr import STATES, crop_box, pick_state
from platewarden.vision.pipeline import CROP_VIEW_MARGINS
from platewarden.vision.state import STATE_H, STATE_W, fuse, state_input

SERIF = FONT.with_name("DejaVuSerif-Bold.ttf")


def state_plate(name: str, text: str, rng: np.random.Generator) -> np.ndarray:
    """Draw a plate with the state's name across its top, as most US plates print it (BGR)."""
    plate = Image.fromarray(cv2.cvtColor(render_plate(text, rng), cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(plate)
    font = ImageFont.truetype(str(SERIF if SERIF.exists() else FONT), 24)
    width = draw.textlength(name, font=font)
    draw.text(((plate.width - width) / 2, 4), name, font=font, fill=(150, 20, 20))
    return cv2.cvtColor(np.asarray(plate), cv2.COLOR_RGB2BGR)


NAMES = {"TX": "TEXAS", "OH": "OHIO", "CA": "CALIFORNIA", "ME": "MAINE"}


def rendered() -> list[np.ndarray]:
    """Render one plate of each of NAMES' states, seeded."""
    rng = np.random.default_rng(16)
    return [state_plate(name, "7KX4815", rng) for name in NAMES.values()]


def test_the_state_model_is_loaded_and_reads_rendered_plates(recognizer: Recognizer) -> None:
    assert recognizer.state is not None
    probs = recognizer.state.probs(rendered())
    assert all(p is not None and p.shape == (len(STATES),) for p in probs)
    best = [STATES[int(p.argmax())].upper() for p in probs if p is not None]
    assert all(best)  # each read as a US plate
    assert sum(b == code for b, code in zip(best, NAMES, strict=True)) >= 3


def ocr_head(recognizer: Recognizer, crop: np.ndarray) -> np.ndarray:
    """The OCR models' state head on a crop, averaged over the reader's views and models."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    views = [crop_box(gray, (0, 0, *gray.shape[::-1]), m) for m in CROP_VIEW_MARGINS]
    models = [m for m in (recognizer.ocr, recognizer.ocr_b) if m is not None]
    return np.mean([v.states for m in models for v in m.decode(views)], axis=0)


def test_read_crops_reports_the_state_of_model_and_head_fused(recognizer: Recognizer) -> None:
    crops = rendered()
    reads = recognizer.read_crops(crops)
    assert recognizer.region == "any"  # no home state: the fusion is not weighed
    for crop, read, model in zip(crops, reads, recognizer.state.probs(crops), strict=True):
        code, confidence = pick_state(fuse(model, ocr_head(recognizer, crop)))
        assert (read.jurisdiction, read.jurisdiction_confidence) == (code, confidence)
    assert any(read.jurisdiction for read in reads)


@pytest.mark.parametrize(
    "crop",
    [
        np.zeros((0, 0, 3), np.uint8),
        np.zeros((5, 40, 3), np.uint8),
        np.zeros((3, 3), np.uint8),
        np.zeros((20, 40, 2), np.uint8),
    ],
)
def test_a_tiny_or_empty_crop_gets_no_state(recognizer: Recognizer, crop: np.ndarray) -> None:
    assert state_input(crop) is None
    assert recognizer.state.probs([crop]) == [None]


def test_a_tiny_crop_is_read_without_a_state(recognizer: Recognizer) -> None:
    tiny = state_plate("TEXAS", "BM5T299", np.random.default_rng(4))[::24, ::24]  # 5 x 10
    read = recognizer.read_crops([tiny])[0]
    assert (read.jurisdiction, read.jurisdiction_confidence) == (None, None)


def test_grey_and_colour_crops_give_the_model_its_shape() -> None:
    plate = state_plate("OHIO", "ABC1234", np.random.default_rng(5))
    for crop in (plate, cv2.cvtColor(plate, cv2.COLOR_BGR2GRAY), plate[..., :1]):
        x = state_input(crop)
        assert x is not None and x.shape == (3, STATE_H, STATE_W)
        assert abs(float(x.mean())) < 1e-3


def test_fuse_is_the_normalised_geometric_mean() -> None:
    model = np.array([0.1, 0.6, 0.3])
    head = np.array([0.1, 0.2, 0.7])
    fused = fuse(model, head)
    expected = np.sqrt(model * head)
    assert fused == pytest.approx(expected / expected.sum())
    assert fuse(None, head) is head


def test_pick_state_gives_none_for_not_us_and_unsure_reads() -> None:
    p = np.full(len(STATES), 0.0)
    p[0] = 1.0
    assert pick_state(p) == (None, None)
    p[:] = 1 / len(STATES)
    assert pick_state(p) == (None, None)
    p[:] = 0.0
    p[STATES.index("ca")] = 0.9
    assert pick_state(p) == ("CA", pytest.approx(0.9))
