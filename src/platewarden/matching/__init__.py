"""Hot-list matching: an in-memory index of plates and partial plates, swapped in whole."""

from platewarden.matching.confusables import DEFAULT_CONFUSABLE_CLASSES
from platewarden.matching.index import HotlistIndex, IndexEntry, Match
from platewarden.matching.live import LiveIndex
from platewarden.matching.patterns import InvalidPatternError, Pattern, is_pattern, parse_pattern
from platewarden.matching.scoring import MatchKind

__all__ = [
    "DEFAULT_CONFUSABLE_CLASSES",
    "HotlistIndex",
    "IndexEntry",
    "InvalidPatternError",
    "LiveIndex",
    "Match",
    "MatchKind",
    "Pattern",
    "is_pattern",
    "parse_pattern",
]
