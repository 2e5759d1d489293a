"""Find the wildcard patterns a read may fit without trying every pattern.

For each read length, a pattern is laid out as the characters it places (`AB?12*` on a read of
seven: `AB?12??`); one with `*` at both ends (`*HJK*`) is laid out once for each place its longest
run of fixed characters can take. Each layout is a bit in Python integers used as bit sets. For
each length and position a table, indexed by the key's byte there, gives the layouts that allow
that character; a read's candidates are the AND of one lookup per character, done in C by `map`
and `reduce` over the key's bytes, and almost always empty. The few candidates are checked with
precompiled regexes. Keys are canonical bytes (confusable characters folded into their class's
representative) so that a read with an OCR substitution still finds the pattern; the
substitutions are then counted against the raw text.
"""

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, getitem

from platewarden.matching.patterns import MAX_PLATE_LENGTH, Pattern

_RUN = re.compile(r"[A-Z0-9]+")

# For keys of one length: every layout of that length, and per position a table from the
# key's byte there to the layouts that allow it.
Screen = tuple[int, tuple[tuple[int, ...], ...]]


@dataclass(frozen=True, slots=True)
class _Compiled:
    raw: re.Pattern[str]
    canonical: re.Pattern[bytes]
    runs: tuple[str, ...]


class PatternIndex:
    """The wildcard patterns of a hot list, filed by the characters they place."""

    def __init__(self, patterns: Sequence[Pattern], canonical: Callable[[str], str]) -> None:
        self.patterns = tuple(patterns)
        self._compiled = [
            _Compiled(p.regex(), re.compile(p.regex(canonical).pattern.encode()), tuple(p.runs()))
            for p in self.patterns
        ]
        # The screens every read goes through (None: no patterns, nothing to screen), by length;
        # the layouts' owners, for the few reads that pass.
        screens: dict[int, Screen] = {}
        self._owners: dict[int, tuple[int, ...]] = {}
        for length in range(MAX_PLATE_LENGTH + 1) if self.patterns else ():
            screen, owners = _screen(length, self.patterns, canonical)
            screens[length], self._owners[length] = screen, owners
        self.screens = screens or None
        self._longer = tuple(n for n, p in enumerate(self.patterns) if p.has_star)

    def candidates(self, key: bytes) -> Collection[int]:
        """Return the patterns a read with this canonical key may fit (most of the time none)."""
        screen = self.screens.get(len(key)) if self.screens else None
        if screen is None:  # longer than any plate: only patterns with `*` can fit
            return self._longer
        everything, tables = screen
        bits: int = reduce(and_, map(getitem, tables, key), everything)
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
        if len(key) != len(text):  # not ASCII: key positions are not text positions
            return None
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
    length: int, patterns: Sequence[Pattern], canonical: Callable[[str], str]
) -> tuple[Screen, tuple[int, ...]]:
    """Build the screen for keys of one length, and the pattern that owns each of its layouts."""
    placed = [[0] * 256 for _ in range(length)]  # per position and byte: layouts placing it
    anything = [0] * length  # per position: layouts that leave it open
    owners: list[int] = []
    for number, pattern in enumerate(patterns):
        if length == pattern.min_length or (pattern.has_star and length > pattern.min_length):
            for layout in map(canonical, layouts(pattern, length)):
                bit = 1 << len(owners)
                owners.append(number)
                for position, char in enumerate(layout):
                    if char == "?":
                        anything[position] |= bit
                    else:
                        placed[position][ord(char)] |= bit
    tables = tuple(
        tuple(bits | anything[position] for bits in placed[position]) for position in range(length)
    )
    return ((1 << len(owners)) - 1, tables), tuple(owners)


def layouts(pattern: Pattern, length: int) -> list[str]:
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
