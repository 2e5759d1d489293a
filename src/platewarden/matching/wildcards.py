"""Find the wildcard patterns a read may fit without trying every pattern.

Patterns are bits in Python integers used as bit sets. A read of length n is cut into windows of
two characters (for seven: 0-2, 2-4, 4-6, 5-7); for each length and window a table gives the set
of patterns that allow the read's two characters there, so a read's candidates are the AND of a
few table lookups, done in C by `map` and `reduce`, and almost always empty. A pattern that pins
down no window at some length (`*AB1*`) is found instead by the first three characters of a run
of its fixed characters, among all the read's runs of three; the rare pattern that has neither is
tried on every read of that length. The few candidates are checked with precompiled regexes.
Keys are canonical text (confusable characters folded into their class's representative) so that
a read with an OCR substitution still finds the pattern; the substitutions are then counted
against the raw text.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import product, repeat
from operator import and_, itemgetter, or_

from platewarden.matching.patterns import MAX_PLATE_LENGTH, Pattern

WINDOW = 2
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
RUN = 3
_RUN = re.compile(rf"[A-Z0-9]{{{RUN},}}")


@dataclass(frozen=True, slots=True)
class _Compiled:
    raw: re.Pattern[str]
    canonical: re.Pattern[str]
    runs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Length:
    """The tables for reads of one length."""

    cut: Callable[[str], tuple[str, ...]]  # the read's windows
    tables: tuple[dict[str, int], ...]  # per window: its two characters -> patterns allowing them
    anything: tuple[int, ...]  # per window: the patterns that allow any characters there
    runs: Callable[[str], tuple[str, ...]] | None  # the read's runs of RUN characters
    free: int  # patterns that pin down no window at this length but have a run to be found by
    loose: int  # patterns that have neither


class PatternIndex:
    """The wildcard patterns of a hot list, filed by the characters they pin down."""

    def __init__(self, patterns: Sequence[Pattern], canonical: Callable[[str], str]) -> None:
        self.patterns = tuple(patterns)
        self._compiled = [
            _Compiled(p.regex(), p.regex(canonical), tuple(p.runs())) for p in self.patterns
        ]
        texts = [canonical(p.text) for p in self.patterns]
        alphabet = "".join(sorted(set(canonical(_ALPHABET))))
        self._lengths = {
            n: _tables(n, self.patterns, texts, alphabet) for n in range(1, MAX_PLATE_LENGTH + 1)
        }
        runs: dict[str, int] = {}
        for number, text in enumerate(texts):
            if "*" in text and (run := _RUN.search(text)):
                runs[run.group()[:RUN]] = runs.get(run.group()[:RUN], 0) | 1 << number
        self._runs = runs
        self._run_keys = frozenset(runs)
        self._longer = sum(1 << n for n, p in enumerate(self.patterns) if p.has_star)

    def __len__(self) -> int:
        return len(self.patterns)

    def candidates(self, key: str) -> int:
        """Return the patterns a read with this canonical text may fit, as bits (mostly none)."""
        at = self._lengths.get(len(key))
        if at is None:  # longer than any plate: only patterns with `*` can fit
            return self._longer
        bits: int = reduce(and_, map(dict.get, at.tables, at.cut(key), at.anything))
        if at.free and at.runs:
            runs = at.runs(key)
            if not self._run_keys.isdisjoint(runs):
                bits |= reduce(or_, map(self._runs.get, runs, repeat(0))) & at.free
        return bits | at.loose

    def fit(self, number: int, text: str, key: str) -> list[tuple[str, str]] | None:
        """Return the substitutions (read, entry) by which a read fits pattern `number`, or None."""
        compiled = self._compiled[number]
        if compiled.raw.fullmatch(text):
            return []
        found = compiled.canonical.fullmatch(key)
        if found is None:
            return None
        pairs = []
        for group, run in enumerate(compiled.runs, start=1):
            start = found.start(group)
            pairs.extend(
                (read, wanted)
                for read, wanted in zip(text[start : start + len(run)], run, strict=True)
                if read != wanted
            )
        return pairs


def _tables(
    length: int, patterns: Sequence[Pattern], texts: Sequence[str], alphabet: str
) -> _Length:
    """Build the tables for reads of one length."""
    spans = _spans(length)
    pinned: list[dict[str, int]] = [{} for _ in spans]
    anything = [0] * len(spans)
    free = loose = 0
    for number, (pattern, text) in enumerate(zip(patterns, texts, strict=True)):
        allowed = length == pattern.min_length or (pattern.has_star and length > pattern.min_length)
        if not allowed:
            continue
        bit = 1 << number
        layout = _layout(pattern, text, length)
        pins = False
        for window, (start, stop) in enumerate(spans):
            part = layout[start:stop]
            if part.count("?") > 1 or part.count("?") == len(part):
                anything[window] |= bit
                continue
            pins = True
            for chars in product(*(alphabet if c == "?" else c for c in part)):
                key = "".join(chars)
                pinned[window][key] = pinned[window].get(key, 0) | bit
        if not pins:
            anything = [any_bits & ~bit for any_bits in anything]
            if "*" in text and _RUN.search(text):
                free |= bit
            else:
                loose |= bit
    tables = tuple(
        {key: bits | anything[window] for key, bits in table.items()}
        for window, table in enumerate(pinned)
    )
    runs = [(start, start + RUN) for start in range(length - RUN + 1)]
    return _Length(
        _cutter(spans), tables, tuple(anything), _cutter(runs) if runs else None, free, loose
    )


def _spans(length: int) -> list[tuple[int, int]]:
    """Cut a read of this length into windows, the last flush with the end."""
    if length <= WINDOW:
        return [(0, length)]
    starts = [*range(0, length - WINDOW, WINDOW), length - WINDOW]
    return [(start, start + WINDOW) for start in starts]


def _cutter(spans: list[tuple[int, int]]) -> Callable[[str], tuple[str, ...]]:
    """Return a function that cuts a key into its windows in one call."""
    if len(spans) == 1:
        return lambda key: (key,)
    return itemgetter(*(slice(start, stop) for start, stop in spans))


def _layout(pattern: Pattern, text: str, length: int) -> str:
    """Spell the pattern for a read of this length: its placed characters, `?` for the rest."""
    if not pattern.has_star:
        return text
    prefix, suffix = text.split("*", 1)[0], text.rsplit("*", 1)[1]
    return prefix + "?" * (length - len(prefix) - len(suffix)) + suffix
