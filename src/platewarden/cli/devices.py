"""`platewarden device`: cameras and other systems that push reads to the server."""

from typing import Annotated

import typer
from rich.table import Table

from platewarden.cli.context import console, console_actor, opened_runtime
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
) -> None:
    """Register a device and print its token (shown once: give it to the device now)."""
    with opened_runtime() as rt:
        device, token = devices.add_device(
            rt, console_actor(rt), name=name, camera=camera, source=source
        )
    scope = f"camera {device.camera}" if device.camera else f"source {device.source_name}"
    console.print(f"device {device.name} added for {scope}; its token (shown once):")
    console.print(token, highlight=False, markup=False)


@app.command("list")
def list_() -> None:
    """List the devices, when each last pushed, and which are revoked."""
    with opened_runtime() as rt:
        found = devices.list_devices(rt, console_actor(rt))
    table = Table("name", "camera or source", "added (UTC)", "last push (UTC)", "revoked")
    for d in found:
        table.add_row(
            d.name,
            d.camera or f"source {d.source_name}",
            f"{d.created_at:%Y-%m-%d %H:%M}",
            f"{d.last_used_at:%Y-%m-%d %H:%M}" if d.last_used_at else "never",
            f"{d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "",
        )
    console.print(table)


@app.command("revoke")
def revoke(name: str) -> None:
    """Revoke a device's token."""
    with opened_runtime() as rt:
        device = devices.revoke_device(rt, console_actor(rt), name=name)
    console.print(f"device {device.name} revoked")
