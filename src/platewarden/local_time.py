"""Times as people read and type them: in the department's zone, always with the zone named.

Storage stays UTC; only what is shown or typed is local. A zone of None is this computer's.
"""

from datetime import UTC, datetime, timedelta, tzinfo


def local(moment: datetime, zone: tzinfo | None) -> datetime:
    """Return a stored time in the department's zone (a time without a zone is UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def show_time(moment: datetime, zone: tzinfo | None, *, seconds: bool = False) -> str:
    """Format a time to the minute (or second) in the department's zone, with the zone named."""
    return local(moment, zone).strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def show_span(delta: timedelta) -> str:
    """Format a length of time to the minute: "42 min", "3 h 5 min"."""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def show_date(moment: datetime, zone: tzinfo | None) -> str:
    """Format the department's calendar day of a time."""
    return local(moment, zone).strftime("%Y-%m-%d")


def read_time(text: str, zone: tzinfo | None) -> datetime:
    """Parse an ISO 8601 time or date; without a zone it is the department's, a plain date the
    start of that day there. Raises ValueError for anything else."""
    parsed = datetime.fromisoformat(text.strip())
    if parsed.tzinfo is not None:
        return parsed
    return parsed.replace(tzinfo=zone) if zone is not None else parsed.astimezone()
