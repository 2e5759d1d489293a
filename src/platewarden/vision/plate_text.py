"""Which recognised texts can be plates: the OCR also reads signs, and two plates as one."""

from dataclasses import replace

from platewarden.domain import normalise_plate
from platewarden.vision.pipeline import PlateRead

# No jurisdiction issues a longer plate; ingest and the hot lists take no longer one either.
MAX_PLATE_TEXT = 10


def can_be_plate(text: str) -> bool:
    """Tell whether a recognised text has the 1–10 letters or digits of a plate."""
    return 1 <= len(normalise_plate(text)) <= MAX_PLATE_TEXT


def as_plate(read: PlateRead) -> PlateRead | None:
    """Return the read with only the alternatives that can be plates; None when its text cannot."""
    if not can_be_plate(read.text):
        return None
    alternatives = [(text, p) for text, p in read.alternatives if can_be_plate(text)]
    if len(alternatives) == len(read.alternatives):
        return read
    return replace(read, alternatives=alternatives)
