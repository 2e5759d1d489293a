"""A read's OCR alternatives as the reads table keeps them: a JSON list of [plate, confidence].

The pairs take about half the room of {"plate": ..., "confidence": ...} objects, which reads
stored before 2026-12-03 hold and which are still read.
"""

from collections.abc import Iterable
from typing import Any

from platewarden.domain import Alternative


def alternatives_column(alternatives: Iterable[Alternative]) -> list[list[Any]]:
    """Return alternatives in the column's form: [[plate, confidence], ...]."""
    return [[a.plate, a.confidence] for a in alternatives]


def alternatives_from_column(value: Iterable[Any]) -> tuple[Alternative, ...]:
    """Return the alternatives of a column's value: pairs, or the objects of older reads."""
    return tuple(
        Alternative(item["plate"], item["confidence"])
        if isinstance(item, dict)
        else Alternative(item[0], item[1])
        for item in value
    )
