"""`platewarden jobs`: the scheduled upkeep, listed and runnable at once."""

import logging
from typing import Annotated

import typer
from rich.markup import escape

from platewarden.cli.context import console, console_actor, opened_runtime
from platewarden.cli.output import JsonFlag, print_json
from platewarden.jobs.registry import JOBS, serve
from platewarden.logs import configure_logging

app = typer.Typer(
    help="Scheduled jobs: list them, run one now, or run them all on schedule.",
    no_args_is_help=True,
)


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List the jobs."""
    if as_json:
        print_json({"name": job.name, "description": job.description} for job in JOBS.values())
        return
    for job in JOBS.values():
        console.print(f"{job.name}: {job.description}", highlight=False)


@app.command("run")
def run(name: Annotated[str, typer.Argument(help="A job's name (see `jobs list`).")]) -> None:
    """Run one job now as the member logged on, with their own permissions."""
    job = JOBS.get(name)
    if job is None:
        console.print(f"[red]refused:[/red] no job {escape(repr(name))}; jobs: {', '.join(JOBS)}")
        raise typer.Exit(1)
    with opened_runtime() as rt:
        console.print(f"{name}: {job.run(rt, console_actor(rt))}", highlight=False)


@app.command("serve")
def serve_(
    tick: Annotated[float, typer.Option(help="Seconds between checks for due jobs.")] = 60.0,
) -> None:
    """Run every job on its schedule as the installation (its service account only)."""
    configure_logging()
    log = logging.getLogger("platewarden.jobs")
    with opened_runtime() as rt:
        try:
            serve(rt, lambda name, line: log.info("%s: %s", name, line), tick_s=tick)
        except KeyboardInterrupt:
            console.print("stopped")
