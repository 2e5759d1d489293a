"""A plate's serial pattern as a cue to its state.

A state issues its serials in a few patterns of letters and digits (California's 7-character
plates are 9LLL999, a digit, three letters, three digits), so the pattern of the text read says
something of the state that the plate's look may not. How often each state's plates show each
pattern is counted from labelled plates; the likelihood of the read's pattern under each state
then re-splits the US states' share of the state readers' probabilities, as a prior would
(platewarden.vision.state_prior.weigh): naive Bayes, the look and the pattern taken as independent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

# Added to every (state, pattern) count, so that a pattern a state's labelled plates never showed
# is unlikely for it, not impossible (a vanity plate, a format the labels lack).
SMOOTHING = 0.5


def pattern(text: str) -> str:
    """Give a text's pattern: L for each letter, 9 for each digit ("7ABC123" -> "9LLL999")."""
    return "".join("9" if c.isdigit() else "L" for c in text)


@dataclass(frozen=True)
class PatternCounts:
    """How many labelled plates of each state showed each pattern."""

    counts: Counter[tuple[str, str]]
    totals: Counter[str]
    patterns: int

    @classmethod
    def of(cls, plates: Iterable[tuple[str, str]]) -> PatternCounts:
        """Count (state, plate text) pairs; states as lower-case postal codes."""
        counts = Counter((state, pattern(text)) for state, text in plates)
        totals: Counter[str] = Counter()
        for (state, _), n in counts.items():
            totals[state] += n
        return cls(counts, totals, len({p for _, p in counts}))

    def likelihood(self, text: str, codes: tuple[str, ...]) -> np.ndarray:
        """Give P(text's pattern | state) for each code, smoothed over the patterns seen and one
        unseen; a state with no labelled plates gets every state's pooled P(pattern), and "not
        US" ("") 1 (platewarden.vision.state_prior.weigh leaves it alone)."""
        shape = pattern(text)
        unseen = SMOOTHING * (self.patterns + 1)
        pooled = sum(n for (_, p), n in self.counts.items() if p == shape)
        out = np.full(len(codes), (pooled + SMOOTHING) / (sum(self.totals.values()) + unseen))
        for i, code in enumerate(codes):
            if not code:
                out[i] = 1.0
            elif self.totals[code]:
                seen = self.counts[(code, shape)] + SMOOTHING
                out[i] = seen / (self.totals[code] + unseen)
        return out
