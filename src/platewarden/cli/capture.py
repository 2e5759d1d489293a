"""`platewarden capture`: read the plates in a camera's images or video and store them."""

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from platewarden.cli.context import console, console_actor, errors, opened_runtime
from platewarden.cli.output import JsonFlag
from platewarden.cli.times import department_zone, parse_time
from platewarden.cli.vision import RegionOption, load_recognizer
from platewarden.services.capture import Frame, check_camera, ingest_frames, ingest_video
from platewarden.vision import Recognizer
from platewarden.vision.exif import exif_capture_time
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
        str | None,
        typer.Option(
            help="Capture time (ISO 8601); default: a photo's EXIF time, else the file's time."
        ),
    ] = None,
    latitude: float | None = None,
    longitude: float | None = None,
    region: RegionOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Read the plates in a camera's images or video and store each with its frame and crop.

    A video or stream gives one read per vehicle pass; images give one read per plate.
    """
    say = _Say(as_json)
    videos = [s for s in sources if is_stream(s) or Path(s).suffix.lower() in VIDEO_SUFFIXES]
    paths = [Path(s) for s in sources if s not in videos]
    missing = [p for p in paths + [Path(v) for v in videos if not is_stream(v)] if not p.exists()]
    if missing:
        for path in missing:
            say.problem(str(path), "no such file or folder", f"no such file or folder: {path}")
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
    reader = load_recognizer(region)
    failed = 0
    if videos:
        failed += _capture_videos(videos, reader, camera=camera, at=fixed_time, say=say)
    if files:
        stamp = _Stamp(fixed_time, department_zone())
        position = (latitude, longitude)
        failed += _capture_images(
            files, reader, camera=camera, stamp=stamp, position=position, say=say
        )
        stamp.warn()
    if failed:  # what could be read is stored; the exit status says that not all of it was
        raise typer.Exit(1)


class _Say:
    """What capture tells: sentences for a person, or JSON lines (as `read --json`)."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def result(self, obj: dict[str, Any], text: str) -> None:
        if self.as_json:
            typer.echo(json.dumps(obj))
        else:
            console.print(text, highlight=False)

    def problem(self, source: str, error: str, text: str) -> None:
        if self.as_json:
            typer.echo(json.dumps({"kind": "error", "source": source, "error": error}))
        else:
            errors.print(text, highlight=False, markup=False)


class _Stamp:
    """Each photo's capture time: --at, else its EXIF time, else its file's modified time."""

    def __init__(self, at: datetime | None, zone: tzinfo | None) -> None:
        self.at, self.zone = at, zone
        self.from_file: list[str] = []

    def time_of(self, path: Path, data: bytes) -> datetime:
        taken = self.at or exif_capture_time(data, self.zone)
        if taken is None:
            self.from_file.append(path.name)
            taken = _file_time(path) or datetime.now(UTC)
        return taken

    def warn(self) -> None:
        """Say which photos were stamped with their file's time, which a copy changes."""
        if not self.from_file:
            return
        named = ", ".join(self.from_file[:3]) + (" …" if len(self.from_file) > 3 else "")
        errors.print(
            f"warning: {len(self.from_file)} images carry no EXIF capture time ({named}): "
            "stored with their file's modified time, which a copy (off an SD card) changes; "
            "give --at if it is wrong",
            highlight=False,
            markup=False,
        )


def _capture_videos(
    videos: list[str], reader: Recognizer, *, camera: str, at: datetime | None, say: _Say
) -> int:
    """Capture each video or stream; return how many failed or gave up."""
    failed = 0
    with opened_runtime() as rt:
        for source in videos:
            stream = is_stream(source)
            started = at or (None if stream else _file_time(Path(source))) or datetime.now(UTC)
            if at is None and not stream:
                errors.print(
                    f"warning: {source} starts at its file's modified time, which a copy "
                    "changes; give --at if it is wrong",
                    highlight=False,
                    markup=False,
                )
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
                say.problem(source, str(exc), f"skipped {source}: {exc}")
                failed += 1
                continue
            for problem in done.refused:
                say.problem(problem.where, problem.message, f"not stored: {problem}")
            say.result(
                {
                    "kind": "video",
                    "source": source,
                    "frames": done.stats.frames,
                    "skipped": done.stats.skipped,
                    "passes": done.passes,
                    "stored": done.stored,
                    "alerts": done.alerts,
                    "gave_up": done.stats.gave_up,
                    "refused": len(done.refused),
                    "dropped_texts": done.dropped,
                },
                f"{source}: {done.stats.frames} frames ({done.stats.skipped} skipped to keep up), "
                f"{done.passes} vehicle passes, {done.stored} stored, {done.alerts} alerts"
                + _not_plates(done.dropped),
            )
            failed += bool(done.refused)
            if done.stats.gave_up:
                if not say.as_json:
                    errors.print(f"{source}: the stream dropped and could not be reopened")
                failed += 1
    return failed


def _capture_images(
    files: list[Path],
    reader: Recognizer,
    *,
    camera: str,
    stamp: _Stamp,
    position: tuple[float | None, float | None],
    say: _Say,
) -> int:
    """Capture the images in batches; return how many could not be read."""
    plates = stored = again = skipped = refused = dropped = 0
    alerts: list[int] = []
    with opened_runtime() as rt, Progress(console=errors, transient=True) as progress:
        task = progress.add_task("reading plates", total=len(files))
        for start in range(0, len(files), BATCH):
            frames = [
                frame
                for p in files[start : start + BATCH]
                if (frame := _frame(p, stamp, position, say)) is not None
            ]
            result = ingest_frames(rt, console_actor(rt), reader, camera=camera, frames=frames)
            for problem in result.problems:
                say.problem(problem.where, problem.message, f"skipped {problem}")
            for problem in result.refused:
                say.problem(problem.where, problem.message, f"not stored: {problem}")
            skipped += len(result.problems) + (len(files[start : start + BATCH]) - len(frames))
            refused += len(result.refused)
            dropped += result.dropped
            plates += result.plates
            stored += result.ingest.stored
            again += result.ingest.duplicates
            alerts += result.ingest.alerts
            progress.update(task, advance=len(frames))
    stored_again = f" ({again} already stored: captured before)" if again else ""
    say.result(
        {
            "kind": "images",
            "images": len(files),
            "plates": plates,
            "stored": stored,
            "already_stored": again,
            "alerts": alerts,
            "not_readable": skipped,
            "refused": refused,
            "dropped_texts": dropped,
        },
        f"{len(files)} images: {plates} plates read, {stored} stored{stored_again}, "
        f"{len(alerts)} alerts"
        + (f", {refused} refused" if refused else "")
        + (f", {skipped} not readable" if skipped else "")
        + _not_plates(dropped),
    )
    return skipped + refused


def _not_plates(dropped: int) -> str:
    return f" ({dropped} texts longer than any plate dropped)" if dropped else ""


def _file_time(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def _frame(
    path: Path, stamp: _Stamp, position: tuple[float | None, float | None], say: _Say
) -> Frame | None:
    try:
        data = read_image_file(path)
    except ImageError as exc:  # one unreadable file is reported; the others go on
        say.problem(str(path), str(exc), f"skipped {path.name}: {exc}")
        return None
    latitude, longitude = position
    return Frame(
        data, stamp.time_of(path, data), name=path.name, latitude=latitude, longitude=longitude
    )
