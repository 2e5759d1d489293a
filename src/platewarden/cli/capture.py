"""`platewarden capture`: read the plates in a camera's images or video and store them."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from platewarden.cli.context import console, console_actor, errors, opened_runtime
from platewarden.cli.times import parse_time
from platewarden.cli.vision import load_recognizer
from platewarden.services.capture import Frame, check_camera, ingest_frames, ingest_video
from platewarden.vision import Recognizer
from platewarden.vision.images import IMAGE_SUFFIXES, ImageError, read_image_file
from platewarden.vision.video import VIDEO_SUFFIXES, is_stream

BATCH = 25


def capture(
    sources: Annotated[
        list[str],
        typer.Argument(help="Image files, folders of images, video files or stream URLs."),
    ],
    camera: Annotated[str, typer.Option(help="The registered camera that took them.")],
    at: Annotated[
        str | None, typer.Option(help="Capture time (ISO 8601); default: each file's time.")
    ] = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> None:
    """Read the plates in a camera's images or video and store each with its frame and crop.

    A video or stream gives one read per vehicle pass; images give one read per plate.
    """
    videos = [s for s in sources if is_stream(s) or Path(s).suffix.lower() in VIDEO_SUFFIXES]
    paths = [Path(s) for s in sources if s not in videos]
    missing = [p for p in paths + [Path(v) for v in videos if not is_stream(v)] if not p.exists()]
    if missing:
        for path in missing:
            errors.print(f"no such file or folder: {path}", highlight=False, markup=False)
        raise typer.Exit(1)
    fixed_time = parse_time(at)
    with opened_runtime() as rt:  # an unknown camera is refused before any file is read
        check_camera(rt, console_actor(rt), camera=camera)
    files = sorted(
        p
        for path in paths
        for p in (path.iterdir() if path.is_dir() else [path])
        if (path.is_dir() and p.suffix.lower() in IMAGE_SUFFIXES) or not path.is_dir()
    )
    reader = load_recognizer(None)
    failed = 0
    if videos:
        failed += _capture_videos(videos, reader, camera=camera, at=fixed_time)
    if files:
        position = (latitude, longitude)
        failed += _capture_images(files, reader, camera=camera, at=fixed_time, position=position)
    if failed:  # what could be read is stored; the exit status says that not all of it was
        raise typer.Exit(1)


def _capture_videos(
    videos: list[str], reader: Recognizer, *, camera: str, at: datetime | None
) -> int:
    """Capture each video or stream; return how many failed or gave up."""
    failed = 0
    with opened_runtime() as rt:
        for source in videos:
            stream = is_stream(source)
            started = at or (None if stream else _file_time(Path(source))) or datetime.now(UTC)
            try:
                done = ingest_video(
                    rt,
                    console_actor(rt),
                    reader,
                    camera=camera,
                    source=source,
                    started_at=started,
                    realtime=stream,
                )
            except OSError as exc:  # a video that cannot be opened; the others go on
                errors.print(f"skipped {source}: {exc}", highlight=False)
                failed += 1
                continue
            console.print(
                f"{source}: {done.stats.frames} frames ({done.stats.skipped} skipped to keep up), "
                f"{done.passes} vehicle passes, {done.stored} stored, {done.alerts} alerts",
                highlight=False,
            )
            if done.stats.gave_up:
                errors.print(f"{source}: the stream dropped and could not be reopened")
                failed += 1
    return failed


def _capture_images(
    files: list[Path],
    reader: Recognizer,
    *,
    camera: str,
    at: datetime | None,
    position: tuple[float | None, float | None],
) -> int:
    """Capture the images in batches; return how many could not be read."""
    latitude, longitude = position
    plates = stored = again = alerts = skipped = 0
    with opened_runtime() as rt, Progress(console=errors, transient=True) as progress:
        task = progress.add_task("reading plates", total=len(files))
        for start in range(0, len(files), BATCH):
            frames = [
                frame
                for p in files[start : start + BATCH]
                if (frame := _frame(p, at, latitude, longitude)) is not None
            ]
            result = ingest_frames(rt, console_actor(rt), reader, camera=camera, frames=frames)
            for problem in result.problems:
                errors.print(f"skipped {problem}", highlight=False)
            skipped += len(result.problems) + (len(files[start : start + BATCH]) - len(frames))
            plates += result.plates
            stored += result.ingest.stored
            again += result.ingest.duplicates
            alerts += len(result.ingest.alerts)
            progress.update(task, advance=len(frames))
    stored_again = f" ({again} already stored: captured before)" if again else ""
    console.print(
        f"{len(files)} images: {plates} plates read, {stored} stored{stored_again}, "
        f"{alerts} alerts" + (f", {skipped} not readable" if skipped else "")
    )
    return skipped


def _file_time(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def _frame(
    path: Path, at: datetime | None, latitude: float | None, longitude: float | None
) -> Frame | None:
    try:
        data = read_image_file(path)
    except ImageError as exc:  # one unreadable file is reported; the others go on
        errors.print(f"skipped {path.name}: {exc}", highlight=False, markup=False)
        return None
    taken = at or _file_time(path) or datetime.now(UTC)
    return Frame(data, taken, name=path.name, latitude=latitude, longitude=longitude)
