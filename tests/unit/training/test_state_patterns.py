"""The serial's pattern as a cue to the state: patterns, counts and their smoothed likelihood."""

import numpy as np
import pytest
from training.state_patterns import SMOOTHING, PatternCounts, pattern

from platewarden.vision.ocr import STATES
from platewarden.vision.state_prior import weigh

LABELS = [
    ("ca", "7ABC123"),
    ("ca", "5XYZ987"),
    ("ca", "4MNP555"),
    ("tx", "ABC1234"),
    ("tx", "DEF5678"),
]


def test_a_pattern_is_its_letters_and_digits_in_order() -> None:
    assert pattern("7ABC123") == "9LLL999"
    assert pattern("ABC1234") == "LLL9999"
    assert pattern("") == ""


def test_the_likelihood_is_smoothed_over_the_patterns_seen_and_one_unseen() -> None:
    counts = PatternCounts.of(LABELS)
    codes = ("", "ca", "tx", "ny")
    seen = counts.likelihood("8QRS456", codes)
    unseen_patterns = SMOOTHING * 3  # two patterns seen, one unseen
    assert seen[1] == pytest.approx((3 + SMOOTHING) / (3 + unseen_patterns))
    assert seen[2] == pytest.approx(SMOOTHING / (2 + unseen_patterns))
    # New York has no labelled plates: it gets every state's pooled likelihood, not 1.
    assert seen[3] == pytest.approx((3 + SMOOTHING) / (5 + unseen_patterns))
    assert seen[0] == 1.0
    vanity = counts.likelihood("COOLCAR", codes)
    assert vanity[1] < seen[1] and vanity[2] < seen[1]


def test_the_pattern_moves_a_plate_between_look_alike_states_and_leaves_not_us() -> None:
    counts = PatternCounts.of(LABELS)
    ca, tx = STATES.index("ca"), STATES.index("tx")
    probs = np.full(len(STATES), 0.01)
    probs[[ca, tx]] = [0.3, 0.4]
    probs[0] = 0.2
    probs /= probs.sum()
    weighed = weigh(probs, counts.likelihood("6TRD042", STATES), STATES)
    assert weighed.argmax() == ca
    assert weighed[0] == pytest.approx(probs[0])
    assert weighed.sum() == pytest.approx(1.0)
