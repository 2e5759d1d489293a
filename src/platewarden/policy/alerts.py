"""An alert's lifecycle (426.4 f): a hit counts as confirmed only after the officer has compared
the plate image with the read and confirmed the entry by other means (NCIC or dispatch)."""

from platewarden.domain import AlertStatus
from platewarden.policy.decision import Decision

OPEN = (AlertStatus.NEW, AlertStatus.VIEWED, AlertStatus.VISUALLY_CONFIRMED)

# event -> (statuses it may follow, status it leads to; None keeps the status)
TRANSITIONS: dict[str, tuple[tuple[AlertStatus, ...], AlertStatus | None]] = {
    "viewed": (tuple(AlertStatus), None),
    "visual_confirmation": (
        (AlertStatus.NEW, AlertStatus.VIEWED),
        AlertStatus.VISUALLY_CONFIRMED,
    ),
    "other_confirmation": ((AlertStatus.VISUALLY_CONFIRMED,), AlertStatus.CONFIRMED),
    "rejected": (OPEN, AlertStatus.REJECTED),
    "outcome": ((AlertStatus.CONFIRMED,), None),
}

WHY_NOT = {
    "visual_confirmation": "only a new or viewed alert can be visually confirmed",
    "other_confirmation": (
        "compare the captured plate image with the read first (visual confirmation); "
        "then confirm by other means"
    ),
    "rejected": "only an open alert can be rejected",
    "outcome": "an outcome is recorded only for a confirmed hit",
}


def next_status(current: AlertStatus, event: str) -> tuple[Decision, AlertStatus]:
    """Return whether an event may happen to an alert in `current`, and the status after it."""
    allowed_from, to = TRANSITIONS[event]
    if current not in allowed_from:
        return Decision.deny(f"alert is {current.value}: {WHY_NOT[event]}"), current
    if event == "viewed" and current == AlertStatus.NEW:
        return Decision.allow("first view"), AlertStatus.VIEWED
    return Decision.allow(event), to or current
