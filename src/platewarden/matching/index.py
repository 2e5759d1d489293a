"""The in-memory hot-list index: exact, OCR-equivalent and wildcard matches for one read."""

import re
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, getitem
from typing import NamedTuple

from platewarden.matching.confusables import Confusables
from platewarden.matching.patterns import InvalidPatternError, parse_pattern
from platewarden.matching.scoring import MatchKind, explain, score
from platewarden.matching.wildcards import PatternIndex

_PLATE = re.compile(r"[A-Z0-9]+")
# Module constants: looking a member up on an Enum class is ten times slower than a global.
_EXACT, _OCR_EQUIVALENT, _WILDCARD = MatchKind.EXACT, MatchKind.OCR_EQUIVALENT, MatchKind.WILDCARD


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """A hot-list entry as the index sees it: a full plate or a pattern, and its jurisdiction."""

    entry_id: int
    plate: str
    jurisdiction: str | None = None
    is_pattern: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """The best way one read matched one entry."""

    entry_id: int
    kind: MatchKind
    matched_text: str  # the alternative that matched
    alternative_rank: int  # 0 for the OCR's best read
    substitutions: int
    score: float
    jurisdiction_mismatch: bool
    explanation: str


class _Hit(NamedTuple):
    """A match found, before it is known to be the entry's best and worth explaining."""

    score: float
    kind: MatchKind
    entry_text: str
    entry_jurisdiction: str | None
    text: str
    pairs: list[tuple[str, str]]
    rank: int
    confidence: float
    mismatch: bool


class HotlistIndex:
    """Full plates by their canonical key, and wildcard patterns, of one hot-list version."""

    __slots__ = (
        "_by_key",
        "_confusables",
        "_ids",
        "_jurisdictions",
        "_pattern_entries",
        "_patterns",
        "_plates",
        "confusable_classes",
        "max_substitutions",
        "min_fixed_chars",
    )

    def __init__(
        self, classes: Sequence[str], *, max_substitutions: int, min_fixed_chars: int
    ) -> None:
        if max_substitutions < 0:
            raise ValueError("max_substitutions must be 0 or more")
        if min_fixed_chars < 1:
            raise ValueError(
                "min_fixed_chars must be at least 1, or a pattern could match any plate"
            )
        self.confusable_classes = tuple(classes)
        # With fuzzy matching off, every character is its own class and the key is the plate.
        confusables = Confusables(classes if max_substitutions else ())
        self._confusables = confusables
        self.max_substitutions = max_substitutions
        self.min_fixed_chars = min_fixed_chars
        self._ids = array("q")
        self._plates: list[bytes] = []  # bytes: smaller than str, and shared with equal keys
        self._jurisdictions: list[str | None] = []
        # canonical key -> position of the plate, or a tuple of positions when several share it
        self._by_key: dict[bytes, int | tuple[int, ...]] = {}
        self._pattern_entries: list[IndexEntry] = []
        self._patterns = PatternIndex([], confusables.canonical)

    @classmethod
    def build(
        cls,
        entries: Iterable[IndexEntry],
        *,
        confusable_classes: Sequence[str],
        max_substitutions: int,
        min_fixed_chars: int,
    ) -> "HotlistIndex":
        """Build an index of the entries; refuse a plate or pattern that is malformed."""
        index = cls(
            confusable_classes,
            max_substitutions=max_substitutions,
            min_fixed_chars=min_fixed_chars,
        )
        patterns = []
        for entry in entries:
            if entry.is_pattern:
                try:
                    pattern = parse_pattern(entry.plate, min_fixed_chars=min_fixed_chars)
                except InvalidPatternError as exc:
                    raise InvalidPatternError(f"entry {entry.entry_id}: {exc}") from None
                if pattern.has_star or "?" in pattern.text:
                    index._pattern_entries.append(entry)
                    patterns.append(pattern)
                    continue
                plate = pattern.text  # a "pattern" without a wildcard is a full plate
            elif _PLATE.fullmatch(entry.plate):
                plate = entry.plate
            else:
                raise ValueError(
                    f"entry {entry.entry_id}: plate {entry.plate!r} is not normalised"
                    " (A-Z and 0-9 only); a partial plate must be marked as a pattern"
                )
            index._add_plate(entry.entry_id, plate, entry.jurisdiction)
        index._patterns = PatternIndex(patterns, index._confusables.canonical)
        return index

    def __len__(self) -> int:
        return len(self._plates) + len(self._pattern_entries)

    def _add_plate(self, entry_id: int, plate: str, jurisdiction: str | None) -> None:
        position = len(self._plates)
        raw = plate.encode()
        key = self._confusables.key(plate)
        self._ids.append(entry_id)
        self._plates.append(raw)
        self._jurisdictions.append(sys.intern(jurisdiction) if jurisdiction else None)
        key = raw if key == raw else key  # one object, not two, for the many plates that are keys
        held = self._by_key.get(key)
        if held is None:
            self._by_key[key] = position
        elif isinstance(held, int):
            self._by_key[key] = (held, position)
        else:
            self._by_key[key] = (*held, position)

    def match(
        self, alternatives: Sequence[tuple[str, float]], jurisdiction: str | None = None
    ) -> list[Match]:
        """Match a read's OCR alternatives (best first); return one best match per entry."""
        found: dict[int, _Hit] = {}
        # Every read goes through this loop, so it is written for speed: locals, C-level calls.
        table = self._confusables.table
        by_key = self._by_key
        screens = self._patterns.screens
        previous = None
        held: int | tuple[int, ...] | None = None
        passed: int | bool = False  # the screen's bits: any set, and a pattern may fit
        for rank, (text, confidence) in enumerate(alternatives):
            key = text.encode().translate(table)
            # Alternatives often differ in confusable characters only: same key, same lookups.
            if key != previous:
                previous = key
                held = by_key.get(key)
                if screens is None:
                    passed = False
                elif (screen := screens.get(len(key))) is None:
                    passed = True  # longer than any plate: try the patterns with `*`
                else:
                    everything, tables = screen
                    passed = reduce(and_, map(getitem, tables, key), everything)
            if held is not None:
                for position in (held,) if isinstance(held, int) else held:
                    self._match_plate(
                        found,
                        position,
                        text=text,
                        rank=rank,
                        confidence=confidence,
                        jurisdiction=jurisdiction,
                    )
            if passed:
                self._match_patterns(
                    found,
                    key,
                    text=text,
                    rank=rank,
                    confidence=confidence,
                    jurisdiction=jurisdiction,
                )
        if not found:  # most reads
            return []
        matches = [_to_match(entry_id, hit, jurisdiction) for entry_id, hit in found.items()]
        return sorted(matches, key=lambda m: (-m.score, m.entry_id))

    def _match_patterns(
        self,
        found: dict[int, _Hit],
        key: bytes,
        *,
        text: str,
        rank: int,
        confidence: float,
        jurisdiction: str | None,
    ) -> None:
        patterns = self._patterns
        for number in patterns.candidates(key):
            pairs = patterns.fit(number, text, key)
            if pairs is not None and len(pairs) <= self.max_substitutions:
                entry = self._pattern_entries[number]
                _offer(
                    found,
                    _WILDCARD,
                    entry_id=entry.entry_id,
                    entry_text=patterns.patterns[number].text,
                    entry_jurisdiction=entry.jurisdiction,
                    text=text,
                    pairs=pairs,
                    rank=rank,
                    confidence=confidence,
                    jurisdiction=jurisdiction,
                )

    def _match_plate(
        self,
        found: dict[int, _Hit],
        position: int,
        *,
        text: str,
        rank: int,
        confidence: float,
        jurisdiction: str | None,
    ) -> None:
        plate = self._plates[position].decode()
        pairs = (
            []
            if plate == text
            else [(got, wanted) for got, wanted in zip(text, plate, strict=True) if got != wanted]
        )
        if len(pairs) > self.max_substitutions:
            return
        _offer(
            found,
            _OCR_EQUIVALENT if pairs else _EXACT,
            entry_id=self._ids[position],
            entry_text=plate,
            entry_jurisdiction=self._jurisdictions[position],
            text=text,
            pairs=pairs,
            rank=rank,
            confidence=confidence,
            jurisdiction=jurisdiction,
        )


def _offer(
    found: dict[int, _Hit],
    kind: MatchKind,
    *,
    entry_id: int,
    entry_text: str,
    entry_jurisdiction: str | None,
    text: str,
    pairs: list[tuple[str, str]],
    rank: int,
    confidence: float,
    jurisdiction: str | None,
) -> None:
    """Keep the hit unless the entry already has a better one."""
    mismatch = bool(jurisdiction and entry_jurisdiction and jurisdiction != entry_jurisdiction)
    value = score(
        kind, substitutions=len(pairs), rank=rank, confidence=confidence, mismatch=mismatch
    )
    held = found.get(entry_id)
    if held is None or held.score < value:
        found[entry_id] = _Hit(
            value, kind, entry_text, entry_jurisdiction, text, pairs, rank, confidence, mismatch
        )


def _to_match(entry_id: int, hit: _Hit, jurisdiction: str | None) -> Match:
    """Turn an entry's best hit into the match that explains itself."""
    return Match(
        entry_id=entry_id,
        kind=hit.kind,
        matched_text=hit.text,
        alternative_rank=hit.rank,
        substitutions=len(hit.pairs),
        score=round(hit.score, 4),
        jurisdiction_mismatch=hit.mismatch,
        explanation=explain(
            hit.kind,
            read=hit.text,
            entry=hit.entry_text,
            pairs=hit.pairs,
            rank=hit.rank,
            confidence=hit.confidence,
            read_jurisdiction=jurisdiction,
            entry_jurisdiction=hit.entry_jurisdiction,
            mismatch=hit.mismatch,
        ),
    )
