"""`platewarden alerts`: hits an officer must confirm by eye and by other means."""

from dataclasses import replace
from datetime import tzinfo
from pathlib import Path
from typing import Annotated

import typer

from platewarden.cli.context import RecordId, console, console_actor, errors, opened_runtime
from platewarden.cli.images import image_folder, save_file
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import show_time
from platewarden.domain import Actor, Alert, AlertStatus, Outcome, RejectReason
from platewarden.image_format import suffix_for
from platewarden.policy.model import Policy
from platewarden.services import alerts
from platewarden.services.runtime import Runtime

# Alert ids are 32-bit integers in PostgreSQL: a larger one is refused before it gets there.

app = typer.Typer(
    help="Alerts: list, inspect, confirm, reject and record outcomes.", no_args_is_help=True
)


@app.command("list")
def list_(
    status: Annotated[list[AlertStatus] | None, typer.Option(help="Only these statuses.")] = None,
    limit: int = 50,
    as_json: JsonFlag = False,
) -> None:
    """List alerts, newest first."""
    with opened_runtime() as rt:
        found = alerts.list_alerts(rt, console_actor(rt), statuses=status, limit=limit)
    if as_json:
        print_json(found)
        return
    zone = rt.settings.zone
    table = new_table(
        "id",
        "status",
        "plate",
        "kind",
        "score",
        "hits",
        "flags",
        "seen (capture time)",
        times={"seen (capture time)"},
    )
    for a in found:
        table.add_row(
            str(a.id),
            a.status.value,
            a.plate or "(purged)",
            a.kind,
            f"{a.score:.2f}",
            str(a.hit_count),
            ", ".join(_flags(a)),
            show_time(a.last_hit_at, zone),
        )
    console.print(table)


def _flags(alert: Alert) -> list[str]:
    return [
        name
        for name, on in (
            ("STALE LIST", alert.stale),
            ("OTHER STATE", alert.jurisdiction_mismatch),
            ("historical", alert.historical),
            ("LATE", alert.late),
        )
        if on
    ]


@app.command("show")
def show(
    alert_id: RecordId,
    images: Annotated[
        Path | None, typer.Option(help="Save the captured plate crop and frame here to compare.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show an alert beside its hot-list entry (the first view marks it viewed)."""
    with opened_runtime() as rt:
        view = alerts.view_alert(rt, console_actor(rt), alert_id=alert_id)
    report_alert_view(view, rt, images=images, as_json=as_json)


def report_alert_view(
    view: alerts.AlertView, rt: Runtime, *, images: Path | None, as_json: bool
) -> None:
    """Print an alert's view, or its JSON, and save its images in a folder if one is given."""
    if as_json:  # the API's view, less the images (saved with --images)
        print_json([replace(view, crop_image=None, frame_image=None)])
    else:
        _print_view(view, rt.policy, rt.settings.zone)
    if images is not None:
        folder = image_folder(images)
        for label, data in (("crop", view.crop_image), ("frame", view.frame_image)):
            if data:
                path = save_file(folder / f"alert-{view.alert.id}-{label}{suffix_for(data)}", data)
                (errors if as_json else console).print(f"{label} image: {path}", highlight=False)


def _print_view(view: alerts.AlertView, policy: Policy, zone: tzinfo | None) -> None:
    a = view.alert
    e, r = view.entry, view.read
    console.print(f"[bold]alert {a.id}[/bold] {a.status.value}", highlight=False)
    entry_plate = e.plate if e else a.matched_text
    console.print(
        f"read {a.plate or '(purged)'}, entry {entry_plate}: {a.kind} match, "
        f"score {a.score:.2f} ({a.explanation})",
        highlight=False,
    )
    for flag in _flags(a):
        console.print(f"[red]{flag}[/red]")
    if r is not None:
        place = f" at {r.latitude:.5f}, {r.longitude:.5f}" if r.latitude is not None else ""
        console.print(
            f"seen {show_time(r.captured_at, zone, seconds=True)} by {r.camera or r.source_name} "
            f"({r.source.value}){place}; {a.hit_count} read(s) "
            f"{show_time(a.first_hit_at or a.last_hit_at, zone)} to "
            f"{show_time(a.last_hit_at, zone)}",
            highlight=False,
        )
    if e is not None:
        purpose = policy.purpose(e.purpose)
        console.print(
            f"entry {e.id}: {e.plate} {e.jurisdiction or '(state unknown)'} · "
            f"{purpose.title if purpose else e.purpose} · {e.source} · "
            f"case {e.case_number or '-'}" + (f" · NCIC {e.nic}" if e.nic else ""),
            highlight=False,
        )
        if e.notes:
            console.print(f"notes: {e.notes}", highlight=False)
    else:
        console.print(view.entry_withheld_reason or "entry removed")
    console.print(f"reads folded in: {', '.join(map(str, view.read_ids)) or '(purged)'}")
    for event in a.events:
        detail = "; ".join(f"{k}: {v}" for k, v in event.detail.items() if v)
        step = event.event.replace("_", " ")
        console.print(
            f"  {show_time(event.at, zone, seconds=True)} {event.actor}: {step}"
            + (f" ({detail})" if detail else ""),
            highlight=False,
        )


@app.command("confirm")
def confirm(
    alert_id: RecordId,
    visual: Annotated[bool, typer.Option(help="I compared the plate image with the read.")] = False,
    how: Annotated[
        str | None, typer.Option(help="Confirmed by other means: NCIC, dispatch …")
    ] = None,
    answer: Annotated[str | None, typer.Option(help="What the other means answered.")] = None,
) -> None:
    """Confirm a hit: --visual once you viewed its images (`alerts show`), then --how and
    --answer; given together, both steps are taken in that order."""
    with opened_runtime() as rt:
        for alert in confirm_steps(rt, console_actor(rt), alert_id, visual, how, answer):
            console.print(f"alert {alert.id} is {alert.status.value}")


def confirm_steps(
    rt: Runtime, member: Actor, alert_id: int, visual: bool, how: str | None, answer: str | None
) -> list[Alert]:
    """Take the confirmation steps asked for, in order: by eye, then by other means."""
    taken = []
    if visual:
        taken.append(alerts.confirm_visually(rt, member, alert_id=alert_id))
    if not visual or how is not None or answer is not None:
        taken.append(
            alerts.confirm_by_other_means(
                rt, member, alert_id=alert_id, how=how or "", answer=answer or ""
            )
        )
    return taken


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
