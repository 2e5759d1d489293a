"""Confusable character classes: characters an OCR mistakes for one another."""

import re
from collections.abc import Sequence

# The classes the issue names; the policy file may configure others. 3/7 is deliberately absent
# (Green v. San Francisco): the engine must not invent matches outside the configured classes.
DEFAULT_CONFUSABLE_CLASSES: tuple[str, ...] = ("0ODQ", "1IL", "2Z", "5S", "8B", "6G", "7T")

_PLATE_CHARS = re.compile(r"[A-Z0-9]+")


class Confusables:
    """Map each character to its class's representative, so that confusable plates share a key."""

    __slots__ = ("_identity", "_table")

    def __init__(self, classes: Sequence[str]) -> None:
        representative: dict[str, str] = {}
        for cls in classes:
            if len(cls) < 2 or not _PLATE_CHARS.fullmatch(cls):
                raise ValueError(
                    f"confusable class {cls!r} must hold two or more of the characters A-Z 0-9"
                )
            for char in cls:
                if char in representative:
                    raise ValueError(
                        f"character {char} is in more than one confusable class ({cls!r});"
                        " classes must not overlap"
                    )
                representative[char] = cls[0]
        changed = {char: rep for char, rep in representative.items() if char != rep}
        # bytes.translate is three times faster than str.translate on short ASCII text
        self._table = bytes.maketrans("".join(changed).encode(), "".join(changed.values()).encode())
        self._identity = not changed

    def canonical(self, text: str) -> str:
        """Return the text with every character replaced by its class's representative."""
        return text if self._identity else text.encode().translate(self._table).decode()
