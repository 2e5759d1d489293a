"""Training (426.4 d, 426.8): a role grants nothing without current training for it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from platewarden.policy.access import MACHINE_ROLES, Role
from platewarden.policy.model import Policy


@dataclass(frozen=True)
class Completion:
    """A member's completed course and until when it counts."""

    course: str
    completed_on: datetime
    expires_on: datetime


def trained_roles(
    policy: Policy, roles: Iterable[Role], completions: Iterable[Completion], now: datetime
) -> tuple[frozenset[Role], dict[Role, str]]:
    """Split roles into those with current training and, for the others, why not."""
    latest: dict[str, Completion] = {}
    for done in completions:
        if done.course not in latest or done.expires_on > latest[done.course].expires_on:
            latest[done.course] = done
    trained: set[Role] = set()
    missing: dict[Role, str] = {}
    for role in roles:
        course = policy.training.courses.get(role.value)
        if course is None or role in MACHINE_ROLES:
            trained.add(role)  # the policy asks no course for this role
        elif course not in latest:
            missing[role] = f"course {course!r} is not on record"
        elif latest[course].expires_on <= now:
            missing[role] = f"course {course!r} expired on {latest[course].expires_on:%Y-%m-%d}"
        else:
            trained.add(role)
    return frozenset(trained), missing
