"""`platewarden purge`: retention."""

from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from platewarden.cli.context import console, console_actor, errors, opened_runtime
from platewarden.services import purge as purging


def purge(
    dry_run: Annotated[bool, typer.Option(help="Count what is due, delete nothing.")] = False,
) -> None:
    """Delete reads and images past the retention period, except those under a hold."""
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
        f"cutoff {run.cutoff:%Y-%m-%d %H:%M} UTC: {verb} {run.reads_purged} reads "
        f"and {run.images_purged} images; {run.reads_kept_by_holds} kept by holds; "
        f"{len(run.days_shredded)} days' keys destroyed"
    )


def purge_runs() -> None:
    """List the latest purge runs (counts only)."""
    with opened_runtime() as rt:
        runs = purging.list_runs(rt, console_actor(rt))
    table = Table("run", "started (UTC)", "cutoff (UTC)", "dry run", "purged", "images", "held")
    for run in runs:
        table.add_row(
            str(run.id),
            f"{run.started_at:%Y-%m-%d %H:%M}",
            f"{run.cutoff:%Y-%m-%d %H:%M}",
            "yes" if run.dry_run else "",
            str(run.reads_purged),
            str(run.images_purged),
            str(run.reads_kept_by_holds),
        )
    console.print(table)
