"""`platewarden report`: the yearly report for the Chief of Police and the public page."""

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from platewarden.cli.context import console, console_actor, opened_runtime
from platewarden.services import report, report_render
from platewarden.services.errors import InvalidInputError, Problem

app = typer.Typer(
    help="Write the yearly report (426.3) and the public transparency page.", no_args_is_help=True
)


def _zone(name: str | None) -> ZoneInfo | None:
    """Return the named time zone, or None for this computer's."""
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            "report not made:", [Problem("timezone", f"{name!r} is not a known time zone")]
        ) from None


@app.command("yearly")
def yearly(
    year: Annotated[int, typer.Argument(help="The calendar year, in local time.")],
    to: Annotated[Path, typer.Option("--to", help="Folder to write the report into.")],
    timezone: Annotated[
        str | None,
        typer.Option(help="The local time zone (IANA name); default: the timezone setting."),
    ] = None,
) -> None:
    """Write report.html, report.pdf, charts (PNG) and one CSV per section for a year."""
    with opened_runtime() as rt:
        zone = _zone(timezone) or rt.settings.zone
        figures = report.yearly_report(rt, console_actor(rt), year=year, tz=zone)
    written = report_render.write_yearly(figures, to)
    console.print(f"yearly report {year}: {len(written)} files in {to}")
    if figures.empty:
        console.print(f"no activity was recorded in {year}; the report says so")


@app.command("transparency")
def transparency(
    to: Annotated[Path, typer.Option("--to", help="Folder to write index.html into.")],
) -> None:
    """Write the public page: the policy in brief, cameras, the last 30 days' figures."""
    with opened_runtime() as rt:
        page = report.transparency_page(rt, console_actor(rt))
    path = report_render.write_transparency(page, to)
    console.print(f"transparency page: {path}")
