"""What a search may ask (426.4.1, 426.6 b): its shape must fit its purpose.

A plate look-up serves the purposes about a vehicle or person; a canvass around a crime scene
needs a place and a short window. A query that cannot serve its stated purpose is refused.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from platewarden.policy.access import Action
from platewarden.policy.decision import Decision

PLATE_PURPOSES = frozenset(
    {"stolen_vehicle", "wanted_person", "owner_warrant", "trucking_violation"}
)
VICINITY_PURPOSE = "recent_crime_vicinity"
MAX_VICINITY_RADIUS_M = 5_000.0
MAX_VICINITY_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class SearchShape:
    """What a search asks for, without its values."""

    purpose: str
    full_plate: bool  # a whole plate, matched exactly
    partial_plate: bool  # a pattern with wildcards, or OCR-equivalent matching
    area_radius_m: float | None
    since: datetime | None
    until: datetime | None


def search_action(shape: SearchShape) -> Action:
    """Return the permission a search needs: a plate look-up, or a history search."""
    if shape.full_plate and shape.area_radius_m is None:
        return Action.QUERY_PLATE
    return Action.SEARCH_HISTORY


def check_shape(shape: SearchShape) -> Decision:
    """Refuse a search whose shape cannot serve its purpose."""
    has_plate = shape.full_plate or shape.partial_plate
    if not has_plate and shape.area_radius_m is None:
        return Decision.deny("name a plate or an area: a search never returns every read")
    if shape.purpose in PLATE_PURPOSES and not has_plate:
        return Decision.deny(f"a search for {shape.purpose} must name the plate (full or partial)")
    if shape.purpose == VICINITY_PURPOSE:
        if shape.area_radius_m is None or shape.since is None or shape.until is None:
            return Decision.deny(
                "a search near a recent crime needs a place, a radius and a time window"
            )
        if shape.area_radius_m > MAX_VICINITY_RADIUS_M:
            return Decision.deny(
                f"a vicinity search may cover at most {MAX_VICINITY_RADIUS_M:.0f} m"
            )
        if shape.until - shape.since > MAX_VICINITY_WINDOW:
            return Decision.deny(
                f"a vicinity search may cover at most {MAX_VICINITY_WINDOW.days} days"
            )
    if shape.since and shape.until and shape.since >= shape.until:
        return Decision.deny("the time window must end after it starts")
    return Decision.allow("the search fits its purpose")
