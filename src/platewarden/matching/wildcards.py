"""Find the wildcard patterns a read may fit without trying every pattern.

For each read length, a pattern is laid out as the characters it places (`AB?12*` on a read of
seven: `AB?12??`); one with `*` at both ends (`*HJK*`) is laid out once for each place its longest
run of fixed characters can take. Each layout is a bit in Python integers used as bit sets. A read
is cut into windows of two characters (for seven: 0-2, 2-4, 4-6, 5-7), and for each length and
window a table gives the layouts that allow the read's two characters there; a read's candidates
are the AND of a few table lookups, done in C by `map` and `reduce`, and almost always empty. The
few candidates are checked with precompiled regexes. Keys are canonical bytes (confusable
characters folded into their class's representative) so that a read with an OCR substitution
still finds the pattern; the substitutions are then counted against the raw text.
"""

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import product
from operator import and_, itemgetter

from platewarden.matching.patterns import MAX_PLATE_LENGTH, Pattern

WINDOW = 2
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_RUN = re.compile(r"[A-Z0-9]+")

# For keys of one length: a function that cuts a key into its windows; per window, its characters
# -> the layouts that allow them; and per window, the layouts that allow anything there.
Screen = tuple[Callable[[bytes], tuple[bytes, ...]], tuple[dict[bytes, int], ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class _Compiled:
    raw: re.Pattern[str]
    canonical: re.Pattern[bytes]
    runs: tuple[str, ...]


class PatternIndex:
    """The wildcard patterns of a hot list, filed by the characters they pin down."""

    def __init__(self, patterns: Sequence[Pattern], canonical: Callable[[str], str]) -> None:
        self.patterns = tuple(patterns)
        self._compiled = [
            _Compiled(p.regex(), re.compile(p.regex(canonical).pattern.encode()), tuple(p.runs()))
            for p in self.patterns
        ]
        alphabet = "".join(sorted(set(canonical(_ALPHABET))))
        # The screens every read goes through (None: no patterns, nothing to screen), by length;
        # the layouts' owners, for the few reads that pass.
        screens: dict[int, Screen] = {}
        self._owners: dict[int, tuple[int, ...]] = {}
        for length in range(MAX_PLATE_LENGTH + 1) if self.patterns else ():
            screen, owners = _screen(length, self.patterns, canonical, alphabet)
            screens[length], self._owners[length] = screen, owners
        self.screens = screens or None
        self._longer = tuple(n for n, p in enumerate(self.patterns) if p.has_star)

    def candidates(self, key: bytes) -> Collection[int]:
        """Return the patterns a read with this canonical key may fit (most of the time none)."""
        screen = self.screens.get(len(key)) if self.screens else None
        if screen is None:  # longer than any plate: only patterns with `*` can fit
            return self._longer
        cut, by_chars, anything = screen
        bits: int = reduce(and_, map(dict.get, by_chars, cut(key), anything))
        owners = self._owners[len(key)]
        found = set()
        while bits:
            low = bits & -bits
            bits ^= low
            found.add(owners[low.bit_length() - 1])
        return found

    def fit(self, number: int, text: str, key: bytes) -> list[tuple[str, str]] | None:
        """Return the substitutions (read, entry) by which a read fits pattern `number`, or None."""
        compiled = self._compiled[number]
        if compiled.raw.fullmatch(text):
            return []
        found = compiled.canonical.fullmatch(key)
        if found is None:
            return None
        pairs: list[tuple[str, str]] = []
        for group, run in enumerate(compiled.runs, start=1):
            start = found.start(group)
            pairs.extend(
                (read, wanted)
                for read, wanted in zip(text[start : start + len(run)], run, strict=True)
                if read != wanted
            )
        return pairs


def _screen(
    length: int, patterns: Sequence[Pattern], canonical: Callable[[str], str], alphabet: str
) -> tuple[Screen, tuple[int, ...]]:
    """Build the screen for keys of one length, and the pattern that owns each of its layouts."""
    spans = _spans(length)
    pinned: list[dict[bytes, int]] = [{} for _ in spans]
    anything = [0] * len(spans)
    owners: list[int] = []
    for number, pattern in enumerate(patterns):
        if length == pattern.min_length or (pattern.has_star and length > pattern.min_length):
            for layout in map(canonical, _layouts(pattern, length)):
                bit = 1 << len(owners)
                owners.append(number)
                for window, (start, stop) in enumerate(spans):
                    part = layout[start:stop]
                    if part.count("?") > 1 or part.count("?") == len(part):
                        anything[window] |= bit
                        continue
                    for chars in product(*(alphabet if c == "?" else c for c in part)):
                        key = "".join(chars).encode()
                        pinned[window][key] = pinned[window].get(key, 0) | bit
    by_chars = tuple(
        {key: bits | anything[window] for key, bits in table.items()}
        for window, table in enumerate(pinned)
    )
    return (_cutter(spans), by_chars, tuple(anything)), tuple(owners)


def _layouts(pattern: Pattern, length: int) -> list[str]:
    """Spell the pattern for a read of this length: the characters it places, `?` for the rest."""
    if not pattern.has_star:
        return [pattern.text]
    prefix, suffix = pattern.prefix, pattern.suffix
    gap = length - len(prefix) - len(suffix)
    if _RUN.search(prefix + suffix):
        return [prefix + "?" * gap + suffix]
    # Nothing placed at either end: place the longest run of the middle wherever it can go.
    run = max(pattern.runs(), key=len)
    return [
        prefix + "?" * before + run + "?" * (gap - before - len(run)) + suffix
        for before in range(gap - len(run) + 1)
    ]


def _spans(length: int) -> list[tuple[int, int]]:
    """Cut a key of this length into windows, the last flush with the end."""
    if length <= WINDOW:
        return [(0, length)]
    starts = [*range(0, length - WINDOW, WINDOW), length - WINDOW]
    return [(start, start + WINDOW) for start in starts]


def _cutter(spans: list[tuple[int, int]]) -> Callable[[bytes], tuple[bytes, ...]]:
    """Return a function that cuts a key into its windows in one call."""
    if len(spans) == 1:
        return lambda key: (key,)
    return itemgetter(*(slice(start, stop) for start, stop in spans))
