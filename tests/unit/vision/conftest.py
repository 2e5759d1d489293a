"""Fixtures: the packaged recognizer and the seeded synthetic set of plate scenes."""

import numpy as np
import pytest
from tests.unit.vision.synthetic import Scene, make_scene

from platewarden.vision import Recognizer


@pytest.fixture(scope="session")
def recognizer() -> Recognizer:
    """Load the packaged models once for the whole test run."""
    return Recognizer.load()


@pytest.fixture(scope="session")
def scenes() -> list[Scene]:
    """Make the seeded synthetic test set."""
    rng = np.random.default_rng(2024)
    return [make_scene(rng) for _ in range(16)]
