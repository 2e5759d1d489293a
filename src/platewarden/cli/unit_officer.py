"""The officer at the unit: log on in the car, see and handle its alerts (426.6 a).

The car's data is reachable only by a member logged on at the unit, with the same log-on
service as the station's, against the members the station sent with the hot lists (see
services/unit_sync.py). Every access is audited in the unit's trail, which follows the reads
to the station; the alert events follow with their alert.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from platewarden.cli.alerts import confirm_steps, report_alert_view
from platewarden.cli.context import RecordId, console, console_binding, session_file
from platewarden.cli.output import JsonFlag, print_json
from platewarden.cli.unit_context import UnitDir, opened_unit, unit_member
from platewarden.domain import RejectReason
from platewarden.services import alerts, auth
from platewarden.store.files import make_private_dir, write_private_text
from platewarden.web.unit_console import DEFAULT_PORT, HOST, make_unit_server

app = typer.Typer()


@app.command("login")
def login(
    username: Annotated[str, typer.Option(prompt=True, help="Your user name.")],
    folder: UnitDir = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Log on at this unit (works with no network: the members came with the hot lists)."""
    password = (
        sys.stdin.readline().rstrip("\r\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True)
    )
    with opened_unit(folder) as (rt, _config, _actor):
        session = auth.log_on(
            rt,
            username=username,
            password=password,
            client_address="unit",
            bound_to=console_binding(rt),
        )
        path = session_file(rt)
        make_private_dir(path.parent)
        write_private_text(path, session.token)
    roles = ", ".join(sorted(r.value for r in session.actor.roles)) or "none in force"
    console.print(f"logged on at the unit as {session.actor.name}; roles in force: {roles}")


@app.command("logout")
def logout(folder: UnitDir = None) -> None:
    """End the session at this unit."""
    with opened_unit(folder) as (rt, _config, _actor):
        path = session_file(rt)
        if path.exists():
            auth.log_off(rt, path.read_text(encoding="utf-8", errors="replace").strip())
            path.unlink()
    console.print("logged off")


@app.command("alerts")
def list_alerts(folder: UnitDir = None, limit: int = 50, as_json: JsonFlag = False) -> None:
    """List the alerts raised in the car, newest first."""
    with opened_unit(folder) as (rt, _config, _actor):
        found = alerts.list_alerts(rt, unit_member(rt), limit=limit)
    if as_json:
        print_json(found)
        return
    for a in found:
        marks = " STALE" if a.stale else ""
        console.print(
            f"{a.id}  {a.status.value:18} {a.plate or '(purged)':10} entry {a.entry_id}{marks}",
            highlight=False,
        )


@app.command("show")
def show(
    alert_id: RecordId,
    folder: UnitDir = None,
    images: Annotated[
        Path | None, typer.Option(help="Save the crop and frame in this folder.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show an alert with its hot-list entry (viewing it is recorded, as at the station)."""
    with opened_unit(folder) as (rt, _config, _actor):
        view = alerts.view_alert(rt, unit_member(rt), alert_id=alert_id)
    report_alert_view(view, rt, images=images, as_json=as_json)


@app.command("confirm")
def confirm(
    alert_id: RecordId,
    folder: UnitDir = None,
    visual: Annotated[bool, typer.Option(help="I compared the image with the read.")] = False,
    how: Annotated[str | None, typer.Option(help="Other means: NCIC, dispatch …")] = None,
    answer: Annotated[str | None, typer.Option(help="What they answered.")] = None,
) -> None:
    """Confirm a hit in the car: --visual after `unit show`, then --how and --answer."""
    with opened_unit(folder) as (rt, _config, _actor):
        alert = confirm_steps(rt, unit_member(rt), alert_id, visual, how, answer)[-1]
    console.print(f"alert {alert.id} is {alert.status.value}")


@app.command("reject")
def reject(
    alert_id: RecordId,
    reason: Annotated[RejectReason, typer.Option(help="Why the hit is wrong.")],
    folder: UnitDir = None,
    note: Annotated[str, typer.Option(help="Details (required for other).")] = "",
) -> None:
    """Reject a hit in the car with its reason."""
    with opened_unit(folder) as (rt, _config, _actor):
        alert = alerts.reject(rt, unit_member(rt), alert_id=alert_id, reason=reason, note=note)
    console.print(f"alert {alert.id} is {alert.status.value}")


@app.command("console")
def serve_console(
    folder: UnitDir = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port on 127.0.0.1.")] = (
        DEFAULT_PORT
    ),
) -> None:
    """Serve the alert console in the car's browser, on this laptop alone, until Ctrl-C.

    The officer logs on in the page as with `unit login`; alerts raised by `unit run` (in
    another terminal or as a service) appear live with their images, entry and hot-list age.
    """
    with opened_unit(folder) as (rt, config, _actor):
        server = make_unit_server(rt, config, port=port)
        console.print(
            f"the console of unit {config.name}: http://{HOST}:{port}/ (Ctrl-C stops it)",
            highlight=False,
        )
        server.run()
