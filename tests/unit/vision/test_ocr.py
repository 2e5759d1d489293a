"""CTC beam search, crop cutting and the evaluation's string scores."""

import numpy as np
import pytest

from platewarden.vision.evaluate import char_accuracy, edit_distance
from platewarden.vision.ocr import (
    ALPHABET,
    STATES,
    ViewRead,
    beam_search,
    combine,
    crop_box,
    merge_views,
    read_plates,
)


def _probs(path: str) -> np.ndarray:
    p = np.full((len(path), len(ALPHABET) + 1), 0.001)
    for t, ch in enumerate(path):
        p[t, 0 if ch == "-" else ALPHABET.index(ch) + 1] = 1.0
    return p / p.sum(axis=1, keepdims=True)


def test_beam_search_collapses_repeats_and_blanks() -> None:
    best, conf = beam_search(_probs("AA-B--BB1"))[0]
    assert best == "ABB1"
    assert 0.6 < conf <= 1.0


def test_beam_search_ranks_alternatives() -> None:
    p = _probs("A-B-8")
    p[4] = 0.0
    p[4, ALPHABET.index("8") + 1], p[4, ALPHABET.index("B") + 1] = 0.6, 0.4
    texts = [t for t, _ in beam_search(p)]
    assert texts[:2] == ["AB8", "ABB"]


def test_crop_box_pads_outside_the_image() -> None:
    image = np.arange(100, dtype=np.uint8).reshape(10, 10)
    crop = crop_box(image, (-5, -5, 10, 10), margin=0.0)
    assert crop.shape == (10, 10)
    assert crop[0, 0] == image[0, 0]


def test_char_accuracy_counts_edits() -> None:
    assert edit_distance("ABC123", "A8C123") == 1
    assert char_accuracy("ABC123", "ABC123") == 1.0
    assert char_accuracy("", "ABC") == 0.0
    assert char_accuracy("XXXXXXXX", "AB") == 0.0


def test_merge_views_outvotes_a_character_one_view_gains() -> None:
    views = [[("ABC123", 0.9)], [("ABC123", 0.8)], [("ABC1231", 0.7), ("ABC123", 0.2)]]
    merged = merge_views(views)
    assert merged[0][0] == "ABC123"
    assert merged[0][1] == pytest.approx((0.9 + 0.8 + 0.2) / 3)
    assert merged[1] == ("ABC1231", pytest.approx(0.7 / 3))


def test_merge_views_drops_empty_texts() -> None:
    assert merge_views([[("", 0.9)], [("AB1", 0.3)]]) == [("AB1", 0.15)]


def test_combine_votes_texts_and_averages_states() -> None:
    ca, ny = STATES.index("ca"), STATES.index("ny")
    states = [np.eye(len(STATES))[ca], np.eye(len(STATES))[ca], np.eye(len(STATES))[ny]]
    views = [
        ViewRead([("J0G9221", 0.6), ("JOG9221", 0.3)], states[0]),
        ViewRead([("J0G9221", 0.5), ("JOG9221", 0.4)], states[1]),
        ViewRead([("", 0.9), ("JOG9221", 0.05)], states[2]),
    ]
    read = combine(views)
    assert (read.text, read.jurisdiction) == ("J0G9221", "CA")
    assert read.jurisdiction_confidence == pytest.approx(2 / 3)
    assert combine(views, region="br").text == "JOG9221"  # Brazil's format ranks first
    assert views[2].best == 0.05  # the empty reading is no plate


class _FixedOCR:
    """An OCR model that gives each crop, by its first pixel, the texts of a table."""

    def __init__(self, texts: dict[int, list[tuple[str, float]]], state: str) -> None:
        self.texts = texts
        self.state = np.eye(len(STATES))[STATES.index(state)]

    def decode(self, crops: list[np.ndarray]) -> list[ViewRead]:
        return [ViewRead(self.texts[int(c[0, 0])], self.state) for c in crops]


def test_two_models_average_texts_and_states_over_every_decoding() -> None:
    ca, ny = STATES.index("ca"), STATES.index("ny")
    a = [ViewRead([("7ABC123", 0.9)], np.eye(len(STATES))[ca]) for _ in range(3)]
    b = [ViewRead([("7ABC128", 0.6), ("7ABC123", 0.3)], np.eye(len(STATES))[ny]) for _ in range(3)]
    read = combine(a + b)
    assert read.alternatives[0] == ("7ABC123", pytest.approx((3 * 0.9 + 3 * 0.3) / 6))
    assert read.alternatives[1] == ("7ABC128", pytest.approx(3 * 0.6 / 6))
    assert read.jurisdiction_confidence == pytest.approx(0.5)


def test_read_plates_gives_each_plate_every_models_decodings_of_its_own_views() -> None:
    plates = [[np.full((4, 8), v, np.uint8) for v in views] for views in ([1, 2, 3], [4, 5])]
    first = _FixedOCR({1: [("AB1", 0.9)], 2: [("AB1", 0.6)], 3: [("AB7", 0.9)],
                       4: [("XY9", 0.8)], 5: [("XY9", 0.4)]}, "ca")  # fmt: skip
    second = _FixedOCR({1: [("AB7", 0.3)], 2: [("AB7", 0.9)], 3: [("AB7", 0.9)],
                        4: [("XY8", 0.2)], 5: [("XY9", 1.0)]}, "ny")  # fmt: skip
    one, two = read_plates([first, second], plates)  # type: ignore[list-item]
    assert one.alternatives == [("AB7", pytest.approx(3.0 / 6)), ("AB1", pytest.approx(1.5 / 6))]
    assert two.alternatives == [("XY9", pytest.approx(2.2 / 4)), ("XY8", pytest.approx(0.2 / 4))]
    assert read_plates([first], plates)[0].text == "AB1"  # the first model alone reads as before
