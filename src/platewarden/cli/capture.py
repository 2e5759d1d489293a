"""`platewarden capture`: read the plates in a camera's images and store them."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from platewarden.cli.context import console, console_actor, errors, opened_runtime
from platewarden.cli.holds import parse_time
from platewarden.services.capture import Frame, ingest_frames
from platewarden.vision import ModelError, Recognizer
from platewarden.vision.images import IMAGE_SUFFIXES

BATCH = 25


def capture(
    paths: Annotated[list[Path], typer.Argument(help="Image files or folders of images.")],
    camera: Annotated[str, typer.Option(help="The registered camera that took them.")],
    at: Annotated[
        str | None, typer.Option(help="Capture time (ISO 8601); default: each file's time.")
    ] = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> None:
    """Read the plates in a camera's images and store each with its frame and plate crop."""
    files = sorted(
        p
        for path in paths
        for p in (path.iterdir() if path.is_dir() else [path])
        if p.is_file() and (p.suffix.lower() in IMAGE_SUFFIXES or not path.is_dir())
    )
    fixed_time = parse_time(at)
    try:
        reader = Recognizer.load()
    except ModelError as exc:
        errors.print(f"[red]cannot start:[/red] {exc}")
        raise typer.Exit(2) from None
    plates = stored = alerts = 0
    with opened_runtime() as rt, Progress(console=errors, transient=True) as progress:
        task = progress.add_task("reading plates", total=len(files))
        for start in range(0, len(files), BATCH):
            frames = [
                _frame(p, fixed_time, latitude, longitude) for p in files[start : start + BATCH]
            ]
            result = ingest_frames(rt, console_actor(rt), reader, camera=camera, frames=frames)
            for problem in result.problems:
                errors.print(f"skipped {problem}", highlight=False)
            plates += result.plates
            stored += result.ingest.stored
            alerts += len(result.ingest.alerts)
            progress.update(task, advance=len(frames))
    console.print(f"{len(files)} images: {plates} plates read, {stored} stored, {alerts} alerts")


def _frame(
    path: Path, at: datetime | None, latitude: float | None, longitude: float | None
) -> Frame:
    try:
        data, modified = path.read_bytes(), path.stat().st_mtime
    except OSError:
        data, modified = b"", 0.0  # the capture service reports it as an empty image
    taken = at or datetime.fromtimestamp(modified, UTC)
    return Frame(data, taken, name=path.name, latitude=latitude, longitude=longitude)
