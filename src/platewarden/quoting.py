"""Quoting what someone typed in a refusal: short, so that a 3 MB value prints at once."""

import math
import re
import reprlib

# Control characters (NUL breaks PostgreSQL) and lone surrogates (not encodable as UTF-8).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
QUOTE_LIMIT = 80
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxother = 2, QUOTE_LIMIT


def quote(value: object) -> str:
    """Quote a value for a refusal: its first 80 characters, marked when cut."""
    if isinstance(value, str):
        cut = value[:QUOTE_LIMIT]
        return repr(cut) + ("…" if len(value) > QUOTE_LIMIT else "")
    if isinstance(value, int) and value.bit_length() > 256:  # repr refuses over 4,300 digits
        return f"an integer of about {int(value.bit_length() * math.log10(2))} digits"
    text = _REPR.repr(value)
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…"
