"""Partial plates with wildcards, entered by hand: `?` is one character, `*` any run."""

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_PLATE_LENGTH = 10
_ALLOWED = re.compile(r"[A-Z0-9?*]+")
_RUN = re.compile(r"[A-Z0-9]+")
_STARS = re.compile(r"\*+")


class InvalidPatternError(ValueError):
    """A partial plate that cannot be used: malformed, or so loose it would match most of a list."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """A parsed partial plate."""

    text: str  # upper case, runs of `*` folded into one
    fixed_chars: int
    min_length: int
    has_star: bool

    @property
    def prefix(self) -> str:
        """Return the part before the first `*` (the whole pattern when it has none)."""
        return self.text.split("*", 1)[0]

    @property
    def suffix(self) -> str:
        """Return the part after the last `*` (empty when it has none)."""
        return self.text.rsplit("*", 1)[1] if self.has_star else ""

    def runs(self) -> list[str]:
        """Return the runs of fixed characters, in order."""
        return _RUN.findall(self.text)

    def regex(self, transform: Callable[[str], str] = str) -> re.Pattern[str]:
        """Compile a regex with one group per run of fixed characters, each run `transform`ed."""
        parts = []
        for token in re.findall(r"[A-Z0-9]+|\?|\*", self.text):
            if token == "?":
                parts.append(".")
            elif token == "*":
                parts.append(".*")
            else:
                parts.append(f"({transform(token)})")
        return re.compile("".join(parts))

    def matches(self, plate: str) -> bool:
        """Return whether a normalised plate fits the pattern exactly (no OCR equivalence)."""
        return self.regex().fullmatch(plate) is not None


def is_pattern(text: str) -> bool:
    """Return whether the text holds a wildcard (`?` or `*`)."""
    return "?" in text or "*" in text


def parse_pattern(text: str, *, min_fixed_chars: int) -> Pattern:
    """Parse a partial plate, refusing one that is malformed or too loose to be specific."""
    if min_fixed_chars < 1:
        raise ValueError("min_fixed_chars must be at least 1, or a pattern could match every plate")
    folded = _STARS.sub("*", text.strip().upper())
    if not folded:
        raise InvalidPatternError("the pattern is empty")
    if not _ALLOWED.fullmatch(folded):
        bad = "".join(sorted({c for c in folded if not _ALLOWED.fullmatch(c)}))
        raise InvalidPatternError(
            f"pattern {text!r} holds {bad!r}: use only A-Z, 0-9, ? (one character) and * (any run)"
        )
    fixed = sum(len(run) for run in _RUN.findall(folded))
    if fixed < min_fixed_chars:
        raise InvalidPatternError(
            f"pattern {text!r} has {fixed} fixed character{'' if fixed == 1 else 's'}; at least"
            f" {min_fixed_chars} are needed, so that a pattern cannot match most of a hot list"
        )
    min_length = len(folded.replace("*", ""))
    if min_length > MAX_PLATE_LENGTH:
        raise InvalidPatternError(
            f"pattern {text!r} needs at least {min_length} characters;"
            f" plates have at most {MAX_PLATE_LENGTH}"
        )
    return Pattern(folded, fixed, min_length, "*" in folded)
