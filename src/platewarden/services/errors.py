"""What services raise: a denial with its reason, or bad input with every problem named."""

from dataclasses import dataclass


class ServiceError(Exception):
    """A service refused a request; the message says why."""


class AccessDeniedError(ServiceError):
    """The policy does not allow this actor to do this (the denial is audited)."""


class NotFoundError(ServiceError):
    """The thing asked for does not exist."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (a row, line or field) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class InvalidInputError(ServiceError):
    """The input has problems; nothing of it was stored."""

    def __init__(self, summary: str, problems: list[Problem]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{summary}\n{listed}{more}" if problems else summary)
