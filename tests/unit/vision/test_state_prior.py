"""A home state's prior: its share, the others' by population, "not US" and other regions alone."""

import numpy as np
import pytest
from tests.unit.vision.test_state import ocr_head, rendered

from platewarden.vision import Recognizer
from platewarden.vision.ocr import STATES, pick_state
from platewarden.vision.state import fuse
from platewarden.vision.state_prior import (
    HOME_SHARE,
    home_prior,
    population_prior,
    populations,
    weigh_states,
)


def test_every_state_code_has_its_2020_census_population() -> None:
    people = populations()
    assert set(people) == set(STATES[1:])  # the 50 states and DC
    assert sum(people.values()) == 331_449_281  # the 2020 Census's resident population
    assert people["ca"] > people["tx"] > people["vt"] > people["wy"]


def test_the_states_share_by_population_and_not_us_is_not_weighed() -> None:
    prior = population_prior(STATES)
    assert prior[0] == 1.0
    assert prior[1:].sum() == pytest.approx(1.0)
    ca, vt = STATES.index("ca"), STATES.index("vt")
    assert prior[ca] / prior[vt] == pytest.approx(39_538_223 / 643_077)


def test_a_home_state_takes_its_share_and_the_rest_by_population() -> None:
    home, people = home_prior("vt", STATES), population_prior(STATES)
    vt, ca = STATES.index("vt"), STATES.index("ca")
    assert home[vt] == pytest.approx(HOME_SHARE + (1 - HOME_SHARE) * people[vt])
    assert home[ca] == pytest.approx((1 - HOME_SHARE) * people[ca])
    assert home[1:].sum() == pytest.approx(1.0)
    assert home[0] == 1.0


def unsure(first: str, second: str, not_us: float = 0.2) -> np.ndarray:
    """A read torn between two states, with some belief that it is not a US plate."""
    p = np.full(len(STATES), 0.0)
    p[0] = not_us
    p[STATES.index(first)] = p[STATES.index(second)] = (1 - not_us) / 2
    return p


def test_an_unsure_read_leans_to_the_home_state() -> None:
    p = unsure("nh", "ca")
    assert pick_state(weigh_states(p, "us-nh", STATES))[0] == "NH"
    assert pick_state(weigh_states(p, "us-ca", STATES))[0] == "CA"
    # Neither home: the larger state's share of the rest decides.
    assert pick_state(weigh_states(p, "us-tx", STATES))[0] == "CA"


@pytest.mark.parametrize("region", ["any", "br", "de"])
def test_a_region_that_is_no_us_state_weighs_nothing(region: str) -> None:
    p = unsure("nh", "ca")
    assert weigh_states(p, region, STATES) is p


def test_weighing_keeps_not_us_and_the_total() -> None:
    weighed = weigh_states(unsure("ri", "ma", not_us=0.35), "us-ny", STATES)
    assert weighed[0] == pytest.approx(0.35)
    assert weighed.sum() == pytest.approx(1.0)
    assert weighed[STATES.index("ma")] > weighed[STATES.index("ri")]


def test_a_sure_read_of_another_state_stays_sure() -> None:
    p = np.full(len(STATES), 2e-5)
    p[STATES.index("wy")] = 1 - 2e-5 * (len(STATES) - 1)
    assert pick_state(weigh_states(p, "us-ca", STATES))[0] == "WY"


def test_a_read_with_no_us_probability_is_left_as_it_is() -> None:
    p = np.eye(len(STATES))[0]
    assert weigh_states(p, "us-ca", STATES) is p


def test_the_reader_weighs_the_fused_state_by_its_home_state(recognizer: Recognizer) -> None:
    crops = rendered()
    home = Recognizer(
        recognizer.detector,
        recognizer.ocr,
        recognizer.corners,
        "us-me",
        recognizer.state,
        ocr_b=recognizer.ocr_b,
    )
    plains, weigheds = recognizer.read_crops(crops), home.read_crops(crops)
    states = [(r.jurisdiction, r.jurisdiction_confidence) for r in (*plains, *weigheds)]
    assert states[: len(crops)] != states[len(crops) :]  # the home state moved something
    for crop, plain, weighed in zip(crops, plains, weigheds, strict=True):
        (model,) = recognizer.state.probs([crop])
        assert plain.text == weighed.text
        fused = fuse(model, ocr_head(recognizer, crop))
        assert (weighed.jurisdiction, weighed.jurisdiction_confidence) == pick_state(
            weigh_states(fused, "us-me", STATES)
        )
