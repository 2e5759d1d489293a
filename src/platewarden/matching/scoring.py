"""How much a match counts, and the sentence that tells the officer why it was made."""

from collections.abc import Sequence
from enum import StrEnum


class MatchKind(StrEnum):
    """How a read matched a hot-list entry."""

    EXACT = "exact"
    OCR_EQUIVALENT = "ocr_equivalent"
    WILDCARD = "wildcard"


# Module constants: looking a member up on an Enum class is ten times slower than a global.
_EXACT, _OCR_EQUIVALENT, _WILDCARD = MatchKind.EXACT, MatchKind.OCR_EQUIVALENT, MatchKind.WILDCARD

# Exact beats OCR-equivalent beats wildcard for the same alternative; each further factor only
# lowers the score, so an exact match on a confident best read is the only way to reach 1.0.
_BASE = {_EXACT: 1.0, _OCR_EQUIVALENT: 0.9, _WILDCARD: 0.7}
_PER_SUBSTITUTION = 0.9
_PER_RANK = 0.9
_JURISDICTION_MISMATCH = 0.5


def score(
    kind: MatchKind, *, substitutions: int, rank: int, confidence: float, mismatch: bool
) -> float:
    """Score a match from 0 to 1: lower for substitutions, a lower alternative, less confidence."""
    # Plain comparisons, not min/max, and no rounding: this runs for every hit of every read.
    confidence = 0.0 if confidence < 0.0 else 1.0 if confidence > 1.0 else confidence
    value = _BASE[kind] * _PER_SUBSTITUTION**substitutions * _PER_RANK**rank
    value *= 0.5 + 0.5 * confidence
    return value * _JURISDICTION_MISMATCH if mismatch else value


def explain(
    kind: MatchKind,
    *,
    read: str,
    entry: str,
    pairs: Sequence[tuple[str, str]],
    rank: int,
    confidence: float,
    read_jurisdiction: str | None,
    entry_jurisdiction: str | None,
    mismatch: bool,
) -> str:
    """Say in one line why the read matched the entry, and what weakens the match."""
    swaps = ", ".join(f"{got}/{wanted}" for got, wanted in pairs)
    if kind == _EXACT:
        text = f"exact: read {read} is the entry's plate"
    elif kind == _OCR_EQUIVALENT:
        text = f"OCR-equivalent: read {read} vs entry {entry} ({swaps})"
    else:
        text = f"wildcard: read {read} fits pattern {entry}"
        if pairs:
            text += f" with OCR substitution{'s' if len(pairs) > 1 else ''} {swaps}"
    if rank:
        text += f"; from the OCR's alternative {rank + 1} (confidence {confidence:.2f})"
    if mismatch:
        text += f"; jurisdiction {read_jurisdiction} differs from the entry's {entry_jurisdiction}"
    return text
