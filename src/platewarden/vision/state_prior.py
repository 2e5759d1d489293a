"""A camera's home state: a prior over the US states that weighs the state readers.

The state model and the OCR's state head were trained on about as many plates of each state, so
their probabilities say what a plate looks like, not how often a state's plates pass a camera.
Where the reader's region is a US state (the camera's home state, as "us-ca"), HOME_SHARE of the
US plates it reads are taken to be that state's and the other states share the rest by
population (state_population.csv, the 2020 Census). Only the split among the states moves: the
"not US" probability stays the reader's. Any other region weighs nothing (a prior by population
alone cost more than it gained: training/README.md, "Where plates come from").
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np

POPULATION_FILE = Path(__file__).with_name("state_population.csv")
# A department's own plates' share of the US plates its cameras read: a round guess fixed
# before it was measured (training/README.md, "Where plates come from"), not a survey.
HOME_SHARE = 0.75


@cache
def populations() -> dict[str, int]:
    """Each state's and DC's resident population, by lower-case postal code."""
    with POPULATION_FILE.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {row["state"]: int(row["population"]) for row in rows}


@cache
def population_prior(codes: tuple[str, ...]) -> np.ndarray:
    """Give each state in codes (lower-case postal codes; "" for "not US", weighed 1) its share
    of the US population."""
    people = populations()
    weights = np.array([people.get(code, 0) for code in codes], dtype=np.float64)
    weights /= weights.sum()
    weights[[i for i, code in enumerate(codes) if not code]] = 1.0
    weights.setflags(write=False)
    return weights


@cache
def home_prior(home: str, codes: tuple[str, ...]) -> np.ndarray:
    """Give the home state HOME_SHARE and every state of codes its population's share of the
    rest ("not US" weighed 1)."""
    weights = population_prior(codes).copy()
    us = np.array([bool(code) for code in codes])
    weights[us] *= 1.0 - HOME_SHARE
    weights[codes.index(home)] += HOME_SHARE
    weights.setflags(write=False)
    return weights


def weigh(probs: np.ndarray, prior: np.ndarray, codes: tuple[str, ...]) -> np.ndarray:
    """Split the US states' share of probs again in proportion to probability times prior;
    "not US" keeps its own. Probabilities with no US share are returned as they are."""
    us = np.array([bool(code) for code in codes])
    weighed = np.where(us, probs * prior, 0.0)
    total = weighed.sum()
    if total <= 0.0:
        return probs
    return np.where(us, weighed / total * probs[us].sum(), probs)


def weigh_states(probs: np.ndarray, region: str, codes: tuple[str, ...]) -> np.ndarray:
    """Weigh state probabilities (aligned with codes) by the home state of a region "us-x";
    any other region leaves them as they are."""
    home = region.removeprefix("us-")
    if not region.startswith("us-") or home not in codes:
        return probs
    return weigh(probs, home_prior(home, codes), codes)
