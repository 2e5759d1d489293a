"""The answer of every policy check: allowed or not, and why."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    """A policy decision that carries its reason, so that a denial can say why."""

    allowed: bool
    reason: str

    @classmethod
    def allow(cls, reason: str = "allowed") -> "Decision":
        """Return an allowing decision."""
        return cls(True, reason)

    @classmethod
    def deny(cls, reason: str) -> "Decision":
        """Return a denying decision with its reason."""
        return cls(False, reason)
