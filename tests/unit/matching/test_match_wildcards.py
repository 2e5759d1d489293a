"""The wildcard filter finds exactly what trying every pattern on every read finds."""

import random
import re

from platewarden.matching import DEFAULT_CONFUSABLE_CLASSES, HotlistIndex, IndexEntry, MatchKind
from platewarden.matching.confusables import Confusables

ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789BO8S5"  # confusable characters over-represented


def random_pattern(rng: random.Random) -> str:
    """Return a random pattern with at least three fixed characters."""
    while True:
        text = "".join(
            rng.choice(["?", "*", *ALPHABET, *ALPHABET]) for _ in range(rng.randint(3, 9))
        )
        fixed = sum(c not in "?*" for c in text)
        if fixed >= 3 and fixed < len(text) and len(text.replace("*", "")) <= 10:
            return text


class BruteForce:
    """Try every pattern on a read."""

    def __init__(self, patterns: list[str]) -> None:
        self.canonical = Confusables(DEFAULT_CONFUSABLE_CLASSES).canonical
        self.patterns = [
            (
                pattern,
                re.compile(pattern.replace("?", ".").replace("*", ".*")),
                re.compile(self.canonical(pattern).replace("?", ".").replace("*", ".*")),
            )
            for pattern in patterns
        ]

    def fits(self, text: str, max_substitutions: int) -> set[int]:
        """Return the patterns a read fits, with at most so many substitutions (no `*` if any)."""
        found = set()
        for number, (pattern, raw, loose) in enumerate(self.patterns):
            if raw.fullmatch(text) or (
                "*" not in pattern
                and loose.fullmatch(self.canonical(text))
                and sum(t != p for t, p in zip(text, pattern, strict=True) if p != "?")
                <= max_substitutions
            ):
                found.add(number)
        return found


def test_index_finds_every_pattern_a_read_fits_and_no_other() -> None:
    rng = random.Random(46)
    patterns = [random_pattern(rng) for _ in range(300)]
    index = HotlistIndex.build(
        [IndexEntry(n, p, None, is_pattern=True) for n, p in enumerate(patterns)],
        confusable_classes=DEFAULT_CONFUSABLE_CLASSES,
        max_substitutions=1,
        min_fixed_chars=3,
    )
    brute_force = BruteForce(patterns)
    checked = 0
    for _ in range(3000):
        base = rng.choice(patterns)
        text = "".join(
            rng.choice(ALPHABET) if c == "?" else c
            for c in base.replace("*", "?" * rng.randint(0, 2))
        )
        if rng.random() < 0.5:  # misread one character
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(ALPHABET) + text[at + 1 :]
        found = index.match([(text, 0.9)])
        assert all(m.kind is MatchKind.WILDCARD for m in found)
        exact = {m.entry_id for m in found if m.substitutions == 0}
        expected = brute_force.fits(text, 0)
        assert exact == expected, text
        # With `*`, which run the substitutions fall on is ambiguous, so compare fixed lengths.
        fuzzy = {m.entry_id for m in found if "*" not in patterns[m.entry_id]}
        assert fuzzy == {n for n in brute_force.fits(text, 1) if "*" not in patterns[n]}, text
        checked += len(expected)
    assert checked > 1000  # the reads do hit patterns, so the comparison means something
