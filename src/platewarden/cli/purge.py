"""`platewarden purge`: retention, and `purge runs`, the record of runs."""

from typing import Annotated

import typer
from rich.progress import Progress

from platewarden.cli.context import console, console_actor, errors, opened_runtime
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import show_time
from platewarden.services import purge as purging

app = typer.Typer()


@app.callback(invoke_without_command=True)
def purge(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option(help="Count what is due, delete nothing.")] = False,
) -> None:
    """Delete reads and images past retention, except those held; `purge runs` lists the runs."""
    if ctx.invoked_subcommand is not None:
        if dry_run:
            ctx.fail("--dry-run goes with `purge` alone")
        return
    with opened_runtime() as rt, Progress(console=errors, transient=True) as progress:
        task = progress.add_task("purging", total=None)
        run = purging.purge(
            rt,
            console_actor(rt),
            dry_run=dry_run,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    verb = "would purge" if dry_run else "purged"
    console.print(
        f"cutoff {show_time(run.cutoff, rt.settings.zone)}: {verb} {run.reads_purged} reads "
        f"and {run.images_purged} images; {run.reads_kept_by_holds} kept by holds; "
        f"{len(run.days_shredded)} days' keys destroyed"
    )


@app.command("runs")
def runs(as_json: JsonFlag = False) -> None:
    """List the latest purge runs (counts only)."""
    with opened_runtime() as rt:
        found = purging.list_runs(rt, console_actor(rt))
    if as_json:
        print_json(found)
        return
    zone = rt.settings.zone
    table = new_table(
        "run",
        "started",
        "cutoff",
        "dry run",
        "purged",
        "images",
        "held",
        times={"started", "cutoff"},
    )
    for run in found:
        table.add_row(
            str(run.id),
            show_time(run.started_at, zone),
            show_time(run.cutoff, zone),
            "yes" if run.dry_run else "",
            str(run.reads_purged),
            str(run.images_purged),
            str(run.reads_kept_by_holds),
        )
    console.print(table)


def purge_runs(as_json: JsonFlag = False) -> None:
    """The old name of `purge runs`, kept for this release."""
    errors.print("note: `platewarden purge-runs` is now `platewarden purge runs`", highlight=False)
    runs(as_json)
