"""Where a camera's plates come from: a prior over the US states that weighs the state readers.

The state model and the OCR's state head were trained on about as many plates of each state, so
their probabilities say what a plate looks like, not how often a state's plates pass a camera.
With the reader's region a US state (the camera's home state, as "us-ca"), HOME_SHARE of the US
plates it reads are taken to be that state's and the others share the rest by population; with
any other region, every state shares them by population (state_population.csv, the 2020
Census). Only the split among the states moves: the "not US" probability stays the reader's.
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
def state_prior(region: str, codes: tuple[str, ...]) -> np.ndarray:
    """Give the prior share of each state in codes (lower-case postal codes; "" for "not US",
    whose weight is 1) for a reader with this region setting."""
    people = populations()
    weights = np.array([people.get(code, 0) for code in codes], dtype=np.float64)
    weights /= weights.sum()
    home = region.removeprefix("us-") if region.startswith("us-") else None
    if home in codes:
        weights *= 1.0 - HOME_SHARE
        weights[codes.index(home)] += HOME_SHARE
    weights[[i for i, code in enumerate(codes) if not code]] = 1.0
    weights.setflags(write=False)
    return weights


def weigh_states(probs: np.ndarray, region: str, codes: tuple[str, ...]) -> np.ndarray:
    """Weigh state probabilities (aligned with codes) by the region's prior: the US states'
    share is split again in proportion to probability times prior; "not US" keeps its own."""
    prior = state_prior(region, codes)
    us = np.array([bool(code) for code in codes])
    weighed = np.where(us, probs * prior, 0.0)
    total = weighed.sum()
    if total <= 0.0:
        return probs
    return np.where(us, weighed / total * probs[us].sum(), probs)
