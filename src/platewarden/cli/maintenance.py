"""`platewarden maintenance`: camera maintenance and calibration records."""

from typing import Annotated

import typer

from platewarden.accountability import MaintenanceKind
from platewarden.cli.context import console, console_actor, opened_runtime
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import parse_time, show_date, show_time
from platewarden.services import maintenance

app = typer.Typer(
    help="Record camera maintenance and calibration; list calibrations overdue.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    camera: Annotated[str, typer.Argument(help="The camera's name.")],
    kind: Annotated[MaintenanceKind, typer.Option(help="What was done.")],
    performed_by: Annotated[str, typer.Option("--by", help="Who did the work (person or firm).")],
    done_on: Annotated[
        str | None, typer.Option(help="When it was done (ISO 8601 or a date; default: now).")
    ] = None,
    next_due: Annotated[
        str | None,
        typer.Option(help="When it is due again; a calibration repeats its last interval."),
    ] = None,
    notes: Annotated[str | None, typer.Option(help="What was found and done.")] = None,
) -> None:
    """Record maintenance done to a camera."""
    with opened_runtime() as rt:
        added = maintenance.add_maintenance(
            rt,
            console_actor(rt),
            camera=camera,
            kind=kind,
            done_on=parse_time(done_on) or rt.clock.now(),
            performed_by=performed_by,
            notes=notes,
            next_due=parse_time(next_due),
        )
    zone = rt.settings.zone
    done = show_time(added.done_on, zone)
    due = f", next due {show_time(added.next_due, zone)}" if added.next_due else ""
    console.print(f"record {added.id}: {added.kind} of {added.camera} on {done}{due}")


@app.command("list")
def list_(
    camera: Annotated[
        str | None, typer.Argument(help="The camera's name (every camera's when left out).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List a camera's (or every camera's) maintenance records, newest first."""
    with opened_runtime() as rt:
        found = maintenance.list_maintenance(rt, console_actor(rt), camera=camera)
    if as_json:
        print_json(found)
        return
    zone = rt.settings.zone
    table = new_table(
        "id",
        "camera",
        "done",
        "kind",
        "by",
        "next due",
        "notes",
        "recorded by",
        times={"done", "next due"},
    )
    for r in found:
        table.add_row(
            str(r.id),
            r.camera,
            show_time(r.done_on, zone),
            r.kind,
            r.performed_by,
            show_date(r.next_due, zone) if r.next_due else "",
            r.notes or "",
            r.recorded_by,
        )
    console.print(table)


@app.command("overdue")
def overdue(as_json: JsonFlag = False) -> None:
    """List cameras in service whose calibration is overdue or was never done."""
    with opened_runtime() as rt:
        due = maintenance.overdue_calibrations(rt, console_actor(rt))
    if as_json:
        print_json(due)
        return
    zone = rt.settings.zone
    if not due:
        console.print("no calibration is overdue")
        return
    table = new_table("camera", "last calibrated", "was due", times={"last calibrated", "was due"})
    for d in due:
        table.add_row(
            d.camera,
            show_time(d.last_calibrated, zone) if d.last_calibrated else "never",
            show_time(d.next_due, zone) if d.next_due else "",
        )
    console.print(table)
