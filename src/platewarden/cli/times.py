"""Times at the command line: typed and shown in the department's zone (the `timezone` setting)."""

from datetime import datetime, tzinfo

import typer

from platewarden.cli.context import cli_errors
from platewarden.local_time import read_time, show_date, show_time
from platewarden.settings import get_settings

__all__ = ["department_zone", "parse_time", "required_time", "show_date", "show_time"]


def department_zone() -> tzinfo | None:
    """Return the department's time zone from the settings (None: this computer's)."""
    with cli_errors():
        return get_settings().zone


def parse_time(value: str | None) -> datetime | None:
    """Parse an ISO 8601 time or plain date typed at the console, in the department's zone."""
    if value is None:
        return None
    try:
        return read_time(value, department_zone())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO 8601 time like 2026-06-01T14:30 or a date like 2026-06-01"
        ) from None


def required_time(value: str) -> datetime:
    """Parse an ISO 8601 time or date that the command cannot do without."""
    parsed = parse_time(value)
    if parsed is None:
        raise typer.BadParameter("a time is required")
    return parsed
