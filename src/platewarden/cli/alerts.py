"""`platewarden alerts`: hits an officer must confirm by eye and by other means."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from platewarden.cli.context import RecordId, console, console_actor, opened_runtime
from platewarden.cli.images import image_folder, save_file
from platewarden.domain import Alert, AlertStatus, Outcome, RejectReason
from platewarden.image_format import suffix_for
from platewarden.services import alerts

# Alert ids are 32-bit integers in PostgreSQL: a larger one is refused before it gets there.

app = typer.Typer(
    help="Alerts: list, inspect, confirm, reject and record outcomes.", no_args_is_help=True
)


@app.command("list")
def list_(
    status: Annotated[list[AlertStatus] | None, typer.Option(help="Only these statuses.")] = None,
    limit: int = 50,
) -> None:
    """List alerts, newest first."""
    with opened_runtime() as rt:
        found = alerts.list_alerts(rt, console_actor(rt), statuses=status, limit=limit)
    table = Table("id", "status", "plate", "kind", "score", "hits", "flags", "when")
    for a in found:
        table.add_row(
            str(a.id),
            a.status.value,
            a.plate or "(purged)",
            a.kind,
            f"{a.score:.2f}",
            str(a.hit_count),
            ", ".join(_flags(a)),
            f"{a.created_at.astimezone():%Y-%m-%d %H:%M}",
        )
    console.print(table)


def _flags(alert: Alert) -> list[str]:
    return [
        name
        for name, on in (
            ("STALE LIST", alert.stale),
            ("OTHER STATE", alert.jurisdiction_mismatch),
            ("historical", alert.historical),
        )
        if on
    ]


@app.command("show")
def show(
    alert_id: RecordId,
    images: Annotated[
        Path | None, typer.Option(help="Save the captured plate crop and frame here to compare.")
    ] = None,
) -> None:
    """Show an alert beside its hot-list entry (the first view marks it viewed)."""
    with opened_runtime() as rt:
        view = alerts.view_alert(rt, console_actor(rt), alert_id=alert_id)
    a = view.alert
    console.print(f"[bold]alert {a.id}[/bold] {a.status.value}: {a.explanation}", highlight=False)
    plate = a.plate or "(purged)"
    console.print(f"read {plate} matched as {a.matched_text}: {a.kind}, score {a.score:.2f}")
    for flag in _flags(a):
        console.print(f"[red]{flag}[/red]")
    if view.entry is not None:
        e = view.entry
        console.print(
            f"entry {e.id}: {e.plate} {e.jurisdiction or '(state unknown)'} · {e.purpose} · "
            f"{e.source} · case {e.case_number or '-'}"
        )
    else:
        console.print(view.entry_withheld_reason or "entry removed")
    console.print(f"reads folded in: {', '.join(map(str, view.read_ids)) or '(purged)'}")
    if images is not None:
        folder = image_folder(images)
        for label, data in (("crop", view.crop_image), ("frame", view.frame_image)):
            if data:
                path = save_file(folder / f"alert-{a.id}-{label}{suffix_for(data)}", data)
                console.print(f"{label} image: {path}")
    for event in a.events:
        when = f"{event.at.astimezone():%Y-%m-%d %H:%M:%S}"
        console.print(f"  {when} {event.actor}: {event.event} {event.detail or ''}")


@app.command("confirm")
def confirm(
    alert_id: RecordId,
    visual: Annotated[bool, typer.Option(help="I compared the plate image with the read.")] = False,
    how: Annotated[
        str | None, typer.Option(help="Confirmed by other means: NCIC, dispatch …")
    ] = None,
    answer: Annotated[str | None, typer.Option(help="What the other means answered.")] = None,
) -> None:
    """Confirm a hit: first --visual, then --how and --answer."""
    with opened_runtime() as rt:
        if visual:
            alert = alerts.confirm_visually(rt, console_actor(rt), alert_id=alert_id)
        else:
            alert = alerts.confirm_by_other_means(
                rt, console_actor(rt), alert_id=alert_id, how=how or "", answer=answer or ""
            )
    console.print(f"alert {alert.id} is {alert.status.value}")


@app.command("reject")
def reject(
    alert_id: RecordId,
    reason: Annotated[RejectReason, typer.Option(help="Why the hit is wrong.")],
    note: Annotated[str, typer.Option(help="Details (required for other).")] = "",
) -> None:
    """Reject a hit with its reason."""
    with opened_runtime() as rt:
        alert = alerts.reject(rt, console_actor(rt), alert_id=alert_id, reason=reason, note=note)
    console.print(f"alert {alert.id} is {alert.status.value}")


@app.command("outcome")
def outcome(
    alert_id: RecordId,
    result: Annotated[Outcome, typer.Option("--outcome", help="What came of the confirmed hit.")],
    note: str = "",
) -> None:
    """Record what came of a confirmed hit."""
    with opened_runtime() as rt:
        alert = alerts.record_outcome(
            rt, console_actor(rt), alert_id=alert_id, outcome=result, note=note
        )
    console.print(f"alert {alert.id}: outcome {alert.outcome.value if alert.outcome else ''}")
