"""`platewarden camera`: the department's cameras."""

from typing import Annotated

import typer

from platewarden.cli.context import console, console_actor, opened_runtime
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import show_time
from platewarden.domain import CameraKind, CameraStatus
from platewarden.services import cameras

app = typer.Typer(help="Register and list ALPR cameras.", no_args_is_help=True)


@app.command("add")
def add(
    name: str,
    kind: Annotated[CameraKind, typer.Option(help="Fixed on a pole or mobile on a car.")] = (
        CameraKind.FIXED
    ),
    location: Annotated[str | None, typer.Option(help="Where it stands, in words.")] = None,
    latitude: float | None = None,
    longitude: float | None = None,
    heading: Annotated[float | None, typer.Option(help="Degrees from north it faces.")] = None,
) -> None:
    """Register a camera."""
    with opened_runtime() as rt:
        camera = cameras.add_camera(
            rt,
            console_actor(rt),
            name=name,
            kind=kind,
            location=location,
            latitude=latitude,
            longitude=longitude,
            heading=heading,
        )
    console.print(f"camera {camera.name} added ({camera.kind}, id {camera.id})")


@app.command("edit")
def edit(
    name: str,
    location: Annotated[str | None, typer.Option(help="Where it stands, in words.")] = None,
    latitude: float | None = None,
    longitude: float | None = None,
    heading: Annotated[float | None, typer.Option(help="Degrees from north it faces.")] = None,
) -> None:
    """Change where a camera stands or faces (what is not given stays)."""
    with opened_runtime() as rt:
        camera = cameras.edit_camera(
            rt,
            console_actor(rt),
            name=name,
            location=location,
            latitude=latitude,
            longitude=longitude,
            heading=heading,
        )
    position = (
        f"{camera.latitude:.5f}, {camera.longitude:.5f}"
        if camera.latitude is not None and camera.longitude is not None
        else "no position"
    )
    console.print(f"camera {camera.name}: {camera.location or ''} {position}", highlight=False)


@app.command("set-status")
def set_status(name: str, status: CameraStatus) -> None:
    """Put a camera in or out of service, or retire it."""
    with opened_runtime() as rt:
        cameras.set_camera_status(rt, console_actor(rt), name=name, status=status)
    console.print(f"camera {name} is now {status.value}")


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List the cameras."""
    with opened_runtime() as rt:
        found = cameras.list_cameras(rt, console_actor(rt))
    if as_json:
        print_json(found)
        return
    table = new_table(
        "name", "kind", "status", "location", "position", "last seen", times={"last seen"}
    )
    for cam in found:
        position = f"{cam.latitude:.5f}, {cam.longitude:.5f}" if cam.latitude is not None else ""
        seen = show_time(cam.last_seen_at, rt.settings.zone) if cam.last_seen_at else "never"
        if cam.offline:
            seen = f"[red]{seen}: offline[/red]"
        table.add_row(cam.name, cam.kind, cam.status, cam.location or "", position, seen)
    console.print(table)
