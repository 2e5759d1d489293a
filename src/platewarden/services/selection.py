"""Check a read selection: the plate rules and the area check, in one place for every service."""

from platewarden.domain import normalise_plate
from platewarden.matching import InvalidPatternError, is_pattern, parse_pattern
from platewarden.selection import ReadSelection
from platewarden.services.errors import Problem
from platewarden.services.hotlist_files import MAX_PLATE, PLATE_TEXT


def selection_problems(
    selection: ReadSelection, *, min_fixed_chars: int, where: str = ""
) -> list[Problem]:
    """Return what is wrong with a selection's plates, area and time window."""
    field = (lambda name: f"{where} {name}") if where else (lambda name: name)
    problems: list[Problem] = []
    for plate in selection.plates:
        if is_pattern(plate):
            try:
                parse_pattern(plate.upper(), min_fixed_chars=min_fixed_chars)
            except InvalidPatternError as exc:
                problems.append(Problem(field("plate"), str(exc)))
        elif not PLATE_TEXT.match(plate) or not 1 <= len(normalise_plate(plate)) <= MAX_PLATE:
            problems.append(Problem(field("plate"), f"{plate!r} must have 1–10 letters or digits"))
    area = (selection.latitude, selection.longitude, selection.radius_m)
    if any(v is not None for v in area) and selection.area is None:
        problems.append(Problem(field("area"), "needs latitude, longitude and radius together"))
    if selection.radius_m is not None and selection.radius_m <= 0:
        problems.append(Problem(field("radius"), "must be more than 0 m"))
    if selection.since and selection.until and selection.since >= selection.until:
        problems.append(Problem(field("time window"), "must end after it starts"))
    return problems
