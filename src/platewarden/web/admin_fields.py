"""Form fields of the administrator's pages: dates typed in the server's local zone, lists."""

import math
from datetime import UTC, date, datetime, time

from platewarden.services.errors import InvalidInputError, Problem


def local_day(value: str, field: str, *, end: bool = False) -> datetime | None:
    """Return a form's date (YYYY-MM-DD) as the start (or end) of that local day, in UTC."""
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInputError("not done:", [Problem(field, "is not a date")]) from None
    moment = datetime.combine(day, time.max if end else time.min).astimezone()
    return moment.astimezone(UTC)


def local_moment(value: str, field: str) -> datetime | None:
    """Return a form's date and time (a datetime-local field) in UTC."""
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInputError("not done:", [Problem(field, "is not a date and time")]) from None
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)


def words(value: str) -> tuple[str, ...]:
    """Split a field of names or plates given with commas, spaces or line breaks."""
    return tuple(part for part in value.replace(",", " ").split() if part)


def number(value: str, field: str) -> float | None:
    """Return a form's optional decimal number."""
    if not value.strip():
        return None
    try:
        found = float(value.strip())
    except ValueError:
        found = math.nan
    if not math.isfinite(found):
        raise InvalidInputError("not done:", [Problem(field, "is not a number")])
    return found
