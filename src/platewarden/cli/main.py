"""The root `platewarden` command."""

import os
from pathlib import Path
from typing import Annotated

import typer

from platewarden import __version__
from platewarden.cli import (
    accounts,
    alerts,
    audit,
    backup,
    cameras,
    capture,
    db,
    demo,
    devices,
    evidence,
    holds,
    hotlists,
    jobs,
    maintenance,
    policy,
    purge,
    reads,
    report,
    search,
    serve,
    sharing,
    unit,
    vision,
    worker,
)
from platewarden.cli.context import GuardedGroup
from platewarden.settings import CONFIG_ENV

app = typer.Typer(
    help="Platewarden: license plate reader and ALPR policy enforcement.",
    no_args_is_help=True,
    cls=GuardedGroup,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"platewarden {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version."),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(envvar=CONFIG_ENV, help="Settings file (TOML); PLATEWARDEN_* variables win."),
    ] = None,
) -> None:
    """Read plates, keep the reads, and enforce the ALPR policy."""
    if config is not None:
        # Settings are read where they are needed; the environment carries the choice there.
        os.environ[CONFIG_ENV] = str(config)


app.add_typer(db.app, name="db")
app.add_typer(cameras.app, name="camera")
app.add_typer(devices.app, name="device")
app.add_typer(holds.app, name="hold")
app.add_typer(hotlists.app, name="hotlist")
app.add_typer(alerts.app, name="alerts")
app.add_typer(jobs.app, name="jobs")
app.add_typer(sharing.app, name="share")
app.add_typer(audit.app, name="audit")
app.add_typer(maintenance.app, name="maintenance")
app.add_typer(report.app, name="report")
app.add_typer(policy.app, name="policy")
app.add_typer(unit.app, name="unit")
app.add_typer(accounts.users, name="user")
app.add_typer(accounts.training, name="training")
app.command("first-run")(accounts.first_run)
app.command("login")(accounts.login)
app.command("logout")(accounts.logout)
app.command("passwd")(accounts.passwd)
app.command("whoami")(accounts.whoami)
app.command("search")(search.search)
app.command("ingest")(reads.ingest)
app.command("capture")(capture.capture)
app.add_typer(purge.app, name="purge")
app.add_typer(evidence.app, name="export")
# The old names, hidden, for one release.
app.command("purge-runs", hidden=True)(purge.purge_runs)
app.command("verify-export", hidden=True)(evidence.verify_export)
app.command("demo")(demo.demo)
app.command("read")(vision.read)
app.command("eval")(vision.eval_)
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)


def main() -> None:
    """Run the command line."""
    app()
