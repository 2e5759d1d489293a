"""`platewarden hold`: legal holds that keep reads past retention."""

from datetime import tzinfo
from typing import Annotated

import typer

from platewarden.cli.choices import Purpose
from platewarden.cli.context import RecordId, console, console_actor, opened_runtime
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import parse_time, show_date, show_time
from platewarden.domain import Hold, HoldKind, PreservationRequest
from platewarden.selection import ReadSelection
from platewarden.services import holds

app = typer.Typer(help="Place, release and list legal holds (§ 46-5-118).", no_args_is_help=True)


@app.command("create")
def create(
    kind: Annotated[HoldKind, typer.Option(help="evidence, lawful_order or preservation.")],
    purpose: Purpose,
    case: Annotated[str, typer.Option(help="The case number the hold serves.")],
    reason: Annotated[str, typer.Option(help="Why: the evidence, the order or the request.")],
    read_id: Annotated[list[int] | None, typer.Option(help="A read to hold (repeatable).")] = None,
    plate: Annotated[str | None, typer.Option(help="Hold this plate's reads.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Window start (ISO 8601 or a date; the department's zone).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Window end (ISO 8601 or a date; the department's zone).")
    ] = None,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: Annotated[float | None, typer.Option(help="Area radius in metres.")] = None,
    agency: Annotated[str | None, typer.Option(help="Preservation: requesting agency.")] = None,
    requester: Annotated[str | None, typer.Option(help="Preservation: requesting person.")] = None,
    camera_locations: Annotated[str | None, typer.Option(help="Preservation: cameras.")] = None,
    time_frames: Annotated[str | None, typer.Option(help="Preservation: dates and times.")] = None,
    facts: Annotated[
        str | None, typer.Option(help="Preservation: facts showing relevance.")
    ] = None,
) -> None:
    """Hold reads by id, or by plate, time window and area, for a case."""
    selection = ReadSelection(
        read_ids=tuple(read_id or ()),
        plates=(plate.upper(),) if plate else (),
        since=parse_time(since),
        until=parse_time(until),
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
    )
    sworn = (agency, requester, camera_locations, plate, time_frames, facts)
    preservation = (
        PreservationRequest(*(value or "" for value in sworn))
        if kind == HoldKind.PRESERVATION
        else None
    )
    with opened_runtime() as rt:
        hold = holds.create_hold(
            rt,
            console_actor(rt),
            kind=kind,
            purpose=purpose,
            case_number=case,
            reason=reason,
            selection=selection,
            preservation=preservation,
        )
    console.print(
        f"hold {hold.id} placed for case {hold.case_number}: {hold.read_count} reads kept"
    )


@app.command("release")
def release(
    hold_id: RecordId,
    reason: Annotated[str, typer.Option(help="Why the hold ends (case closed, order lifted).")],
) -> None:
    """Release a hold: its reads are purged when their retention period ends."""
    with opened_runtime() as rt:
        hold = holds.release_hold(rt, console_actor(rt), hold_id=hold_id, reason=reason)
    console.print(f"hold {hold.id} released")


@app.command("list")
def list_(
    active: Annotated[bool, typer.Option(help="Only holds still in force.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """List holds, newest first."""
    with opened_runtime() as rt:
        found = holds.list_holds(rt, console_actor(rt), active_only=active)
    if as_json:
        print_json(found)
        return
    zone = rt.settings.zone
    table = new_table(
        "id",
        "kind",
        "case",
        "purpose",
        "reads",
        "created",
        "by",
        "released",
        times={"created", "released"},
    )
    for hold in found:
        table.add_row(
            str(hold.id),
            hold.kind,
            hold.case_number,
            hold.purpose,
            str(hold.read_count),
            show_time(hold.created_at, zone),
            hold.created_by,
            show_date(hold.released_at, zone) if hold.released_at else "",
        )
    console.print(table)


@app.command("show")
def show(hold_id: RecordId, as_json: JsonFlag = False) -> None:
    """Show one hold, with a preservation request's sworn fields."""
    with opened_runtime() as rt:
        hold = holds.get_hold(rt, console_actor(rt), hold_id=hold_id)
    if as_json:
        print_json([hold])
        return
    for label, value in _describe(hold, rt.settings.zone):
        console.print(f"[bold]{label}:[/bold] {value}", highlight=False)


def _describe(hold: Hold, zone: tzinfo | None) -> list[tuple[str, str]]:
    lines = [
        ("hold", str(hold.id)),
        ("kind", hold.kind.value),
        ("case", hold.case_number),
        ("purpose", hold.purpose),
        ("reason", hold.reason),
        ("reads", str(hold.read_count)),
        ("created", f"{show_time(hold.created_at, zone)} by {hold.created_by}"),
    ]
    if hold.preservation:
        lines += [(f"request {k}", str(v)) for k, v in vars(hold.preservation).items()]
    if hold.released_at:
        lines.append(("released", f"{show_time(hold.released_at, zone)} by {hold.released_by}"))
        lines.append(("release reason", hold.release_reason or ""))
    return lines
