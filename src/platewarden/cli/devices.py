"""`platewarden device`: cameras and other systems that push reads to the server."""

from typing import Annotated

import typer

from platewarden.cli.context import console, console_actor, opened_runtime
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import show_date, show_time
from platewarden.services import devices

app = typer.Typer(
    help="Devices that push reads to the server, each with its own token.", no_args_is_help=True
)


@app.command("add")
def add(
    name: str,
    camera: Annotated[str | None, typer.Option(help="The camera it pushes reads for.")] = None,
    source: Annotated[
        str | None, typer.Option(help="Or the other ALPR system whose reads it pushes.")
    ] = None,
    unit: Annotated[
        bool, typer.Option("--unit", help="A patrol car's unit for the camera: gets hot lists.")
    ] = False,
) -> None:
    """Register a device and print its token (shown once: give it to the device now)."""
    if unit:
        _add_unit(name, camera)
        return
    with opened_runtime() as rt:
        device, token = devices.add_device(
            rt, console_actor(rt), name=name, camera=camera, source=source
        )
    scope = f"camera {device.camera}" if device.camera else f"source {device.source_name}"
    console.print(f"device {device.name} added for {scope}; its token (shown once):")
    console.print(token, highlight=False, markup=False)


def _add_unit(name: str, camera: str | None) -> None:
    """Register a patrol car's unit and print what `platewarden unit init` takes."""
    if camera is None:
        raise typer.BadParameter("a unit needs --camera: the car's camera", param_hint="--camera")
    with opened_runtime() as rt:
        device, token, key = devices.add_unit(rt, console_actor(rt), name=name, camera=camera)
    console.print(
        f"unit {device.name} added for camera {device.camera}; its token, then its hot-list "
        "key (shown once: `platewarden unit init` on the car's laptop asks for both):"
    )
    console.print(token, highlight=False, markup=False)
    console.print(key, highlight=False, markup=False)


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List the devices, when each last pushed, and which are revoked."""
    with opened_runtime() as rt:
        found = devices.list_devices(rt, console_actor(rt))
    if as_json:
        print_json(found)
        return
    zone = rt.settings.zone
    table = new_table(
        "name",
        "camera or source",
        "added",
        "last push",
        "revoked",
        times={"added", "last push", "revoked"},
    )
    for d in found:
        table.add_row(
            d.name,
            d.camera or f"source {d.source_name}",
            show_date(d.created_at, zone),
            show_time(d.last_used_at, zone) if d.last_used_at else "never",
            show_date(d.revoked_at, zone) if d.revoked_at else "",
        )
    console.print(table)


@app.command("revoke")
def revoke(name: str) -> None:
    """Revoke a device's token."""
    with opened_runtime() as rt:
        device = devices.revoke_device(rt, console_actor(rt), name=name)
    console.print(f"device {device.name} revoked")
