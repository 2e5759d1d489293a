"""Confusable character classes: characters an OCR mistakes for one another."""

import re
from collections.abc import Sequence

# The classes the issue names; the policy file may configure others. 3/7 is deliberately absent
# (Green v. San Francisco): the engine must not invent matches outside the configured classes.
DEFAULT_CONFUSABLE_CLASSES: tuple[str, ...] = ("0ODQ", "1IL", "2Z", "5S", "8B", "6G", "7T")

_PLATE_CHARS = re.compile(r"[A-Z0-9]+")


class Confusables:
    """Map each character to its class's representative, so that confusable plates share a key."""

    __slots__ = ("table",)

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
        # Keys are bytes: bytes.translate is several times faster than str.translate.
        self.table = bytes.maketrans("".join(changed).encode(), "".join(changed.values()).encode())

    def key(self, text: str) -> bytes:
        """Return the text's key: each character replaced by its class's representative."""
        # A character outside ASCII takes more than one byte: such a key equals no plate's key.
        return text.encode().translate(self.table)

    def canonical(self, text: str) -> str:
        """Return the text with each character replaced by its class's representative."""
        return self.key(text).decode()
