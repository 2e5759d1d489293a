"""`platewarden hotlist`: feeds, manual entries and their freshness."""

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from platewarden.cli.choices import Purpose
from platewarden.cli.context import (
    RecordId,
    cli_errors,
    console,
    console_actor,
    errors,
    opened_runtime,
)
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import parse_time, show_date, show_time
from platewarden.domain import HotlistEntry, SourceStatus
from platewarden.policy.access import Action, check_role
from platewarden.services import hotlists

app = typer.Typer(
    help="Hot lists: load, refresh, enter by hand, and check freshness.", no_args_is_help=True
)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A CSV or NCIC/state-style extract.")],
    source: Annotated[str, typer.Option(help="The feed's name, e.g. ncic or state-stolen.")],
    force: Annotated[
        bool, typer.Option(help="Load even an empty list or one that halves the current list.")
    ] = False,
) -> None:
    """Load a hot-list file as the source's new version."""
    with cli_errors():
        data = _read(file)
    with opened_runtime() as rt:
        load = hotlists.import_hotlist(rt, console_actor(rt), source=source, data=data, force=force)
    for problem in load.skipped:
        errors.print(f"skipped {problem}", highlight=False)
    console.print(
        f"{source}: version {load.version.id} with {load.version.entry_count} entries"
        f"{f', {len(load.skipped)} rows skipped' if load.skipped else ''}"
    )


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        errors.print(f"[red]refused:[/red] cannot read {file}: {exc.strerror}")
        raise typer.Exit(1) from None


@app.command("refresh")
def refresh(
    source: Annotated[str | None, typer.Option(help="Only this configured source.")] = None,
) -> None:
    """Fetch the configured feeds now; a failure keeps the last good version."""
    with opened_runtime() as rt:
        results = hotlists.refresh(rt, console_actor(rt), source=source)
    if not results:
        console.print("no hot-list sources are configured (settings: hotlist_sources)")
    for name, outcome in results:
        console.print(f"{name}: {outcome}", highlight=False)
    if any(outcome.startswith(hotlists.REFRESH_FAILED_SAYS) for _, outcome in results):
        raise typer.Exit(1)  # a service manager or a script sees that a feed failed


@app.command("status")
def status(as_json: JsonFlag = False) -> None:
    """Show each source's version, age and staleness, and (to administrators) the open notices."""
    with opened_runtime() as rt:
        member = console_actor(rt)
        found = hotlists.status(rt, member)
        manages = check_role(member.roles, Action.MANAGE_HOTLISTS).allowed
        notices = hotlists.notices(rt, member) if manages else []
    zone = rt.settings.zone
    if as_json:
        print_json(found)
    else:
        console.print(_status_table(found, zone))
    for at, _, subject, message in notices:
        errors.print(f"[yellow]notice[/yellow] {show_time(at, zone)} {subject}: {message}")


def _status_table(found: list[SourceStatus], zone: tzinfo | None) -> Table:
    table = new_table("source", "version", "entries", "loaded", "state", times={"loaded"})
    for s in found:
        loaded = show_time(s.version.loaded_at, zone) if s.version else ""
        state = "[red]STALE[/red]" if s.stale else "fresh"
        if s.last_failure:
            state += " · last refresh failed"
        table.add_row(
            s.source, str(s.version.id) if s.version else "", str(s.entries), loaded, state
        )
    return table


@app.command("list")
def list_(
    source: Annotated[str | None, typer.Option(help="Only this source (or manual).")] = None,
    plate: Annotated[str | None, typer.Option(help="Only this plate.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List entries in force."""
    with opened_runtime() as rt:
        found = hotlists.list_entries(rt, console_actor(rt), source=source, plate=plate)
    if as_json:
        print_json(found)
        return
    table = new_table(
        "id", "plate", "state", "purpose", "source", "case", "expires", times={"expires"}
    )
    for e in found:
        expires = show_date(e.expires_at, rt.settings.zone) if e.expires_at else ""
        table.add_row(
            str(e.id),
            e.plate,
            e.jurisdiction or "",
            e.purpose,
            e.source,
            e.case_number or "",
            expires,
        )
    console.print(table)


@app.command("show")
def show(entry_id: RecordId, as_json: JsonFlag = False) -> None:
    """Show one entry (a confidential entry's details need the grant)."""
    with opened_runtime() as rt:
        entry = hotlists.show_entry(rt, console_actor(rt), entry_id=entry_id)
    if as_json:
        print_json([entry])
        return
    for label, value in _describe(entry, rt.settings.zone):
        console.print(f"[bold]{label}:[/bold] {value}", highlight=False)


def _describe(entry: HotlistEntry, zone: tzinfo | None) -> list[tuple[str, str]]:
    fields = [
        ("entry", str(entry.id)),
        ("plate", entry.plate + (" (pattern)" if entry.is_pattern else "")),
        ("jurisdiction", entry.jurisdiction or "unknown"),
        ("purpose", entry.purpose),
        ("record type", entry.record_type),
        ("source", entry.source),
        ("case", entry.case_number or ""),
        ("NIC / ORI / OCA", " / ".join(v or "-" for v in (entry.nic, entry.ori, entry.oca))),
        ("expires", show_time(entry.expires_at, zone) if entry.expires_at else ""),
        ("entered by", entry.entered_by or ""),
        ("notes", entry.notes or ""),
    ]
    return [(k, v) for k, v in fields if v]


@app.command("add")
def add(
    plate: Annotated[
        str, typer.Argument(help="A plate, or a partial plate: ? one character, * any run.")
    ],
    purpose: Purpose,
    case: Annotated[str, typer.Option(help="The case number.")],
    state: Annotated[str | None, typer.Option(help="Jurisdiction, if known.")] = None,
    expires: Annotated[
        str | None, typer.Option(help="Expiry (ISO 8601 or a date); default from the policy.")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="What the officer should know.")] = None,
    confidential: Annotated[
        bool, typer.Option(help="Details only for authorised members.")
    ] = False,
) -> None:
    """Enter a plate by hand; it is checked against the reads still kept."""
    expires_at: datetime | None = parse_time(expires)
    with opened_runtime() as rt:
        entry, historical = hotlists.add_entry(
            rt,
            console_actor(rt),
            plate=plate,
            purpose=purpose,
            case_number=case,
            jurisdiction=state,
            expires_at=expires_at,
            notes=notes,
            confidential=confidential,
        )
    console.print(
        f"entry {entry.id} added: {entry.plate}; {len(historical)} historical alerts raised"
    )


@app.command("remove")
def remove(
    entry_id: RecordId,
    reason: Annotated[str, typer.Option(help="Why: vehicle recovered, case closed …")],
) -> None:
    """Take an entry off the hot lists."""
    with opened_runtime() as rt:
        hotlists.remove_entry(rt, console_actor(rt), entry_id=entry_id, reason=reason)
    console.print(f"entry {entry_id} removed")
