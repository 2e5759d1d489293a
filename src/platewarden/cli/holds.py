"""`platewarden hold`: legal holds that keep reads past retention."""

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from platewarden.cli.context import RecordId, console, console_actor, opened_runtime
from platewarden.domain import Hold, HoldKind, PreservationRequest
from platewarden.selection import ReadSelection
from platewarden.services import holds

app = typer.Typer(help="Place, release and list legal holds (§ 46-5-118).", no_args_is_help=True)


def parse_time(value: str | None) -> datetime | None:
    """Parse an ISO 8601 time; one without a zone is taken as this computer's local time."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO 8601 time like 2026-06-01T14:30"
        ) from None
    return parsed if parsed.tzinfo else parsed.astimezone()


def required_time(value: str) -> datetime:
    """Parse an ISO 8601 time that the command cannot do without."""
    parsed = parse_time(value)
    if parsed is None:
        raise typer.BadParameter("a time is required")
    return parsed


@app.command("create")
def create(
    kind: Annotated[HoldKind, typer.Option(help="evidence, lawful_order or preservation.")],
    purpose: Annotated[str, typer.Option(help="One of the policy's purposes of use.")],
    case: Annotated[str, typer.Option(help="The case number the hold serves.")],
    reason: Annotated[str, typer.Option(help="Why: the evidence, the order or the request.")],
    read_id: Annotated[list[int] | None, typer.Option(help="A read to hold (repeatable).")] = None,
    plate: Annotated[str | None, typer.Option(help="Hold this plate's reads.")] = None,
    since: Annotated[str | None, typer.Option(help="Window start (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Window end (ISO 8601).")] = None,
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
) -> None:
    """List holds, newest first."""
    with opened_runtime() as rt:
        found = holds.list_holds(rt, console_actor(rt), active_only=active)
    table = Table("id", "kind", "case", "purpose", "reads", "created", "by", "released")
    for hold in found:
        table.add_row(
            str(hold.id),
            hold.kind,
            hold.case_number,
            hold.purpose,
            str(hold.read_count),
            _local(hold.created_at),
            hold.created_by,
            _local(hold.released_at) if hold.released_at else "",
        )
    console.print(table)


@app.command("show")
def show(hold_id: RecordId) -> None:
    """Show one hold, with a preservation request's sworn fields."""
    with opened_runtime() as rt:
        hold = holds.get_hold(rt, console_actor(rt), hold_id=hold_id)
    for label, value in _describe(hold):
        console.print(f"[bold]{label}:[/bold] {value}", highlight=False)


def _describe(hold: Hold) -> list[tuple[str, str]]:
    lines = [
        ("hold", str(hold.id)),
        ("kind", hold.kind.value),
        ("case", hold.case_number),
        ("purpose", hold.purpose),
        ("reason", hold.reason),
        ("reads", str(hold.read_count)),
        ("created", f"{_local(hold.created_at)} by {hold.created_by}"),
    ]
    if hold.preservation:
        lines += [(f"request {k}", str(v)) for k, v in vars(hold.preservation).items()]
    if hold.released_at:
        lines.append(("released", f"{_local(hold.released_at)} by {hold.released_by}"))
        lines.append(("release reason", hold.release_reason or ""))
    return lines


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")
