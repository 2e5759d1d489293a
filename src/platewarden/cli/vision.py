"""The `read` and `eval` commands: recognise plates in files, folders and video; score a folder."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import cv2
import typer

from platewarden.cli.context import cli_errors, errors
from platewarden.settings import get_settings
from platewarden.vision import ImageError, ModelError, PlateRead, Recognizer, load_image
from platewarden.vision.evaluate import evaluate
from platewarden.vision.images import IMAGE_SUFFIXES
from platewarden.vision.video import VIDEO_SUFFIXES, VideoStats, is_stream, read_video

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object per line.")]
RegionOption = Annotated[
    str | None,
    typer.Option(
        help="Prefer reads that fit this region's plate formats: any, a country's code "
        "(br, de, gb ...) or us- and a US state's (us-ca), which is then also the likeliest "
        "state of a plate whose state is unclear (default: the plate_region setting)."
    ),
]


class Split(StrEnum):
    """Which rows of truth.jsonl to score."""

    all = "all"
    heldout = "heldout"
    train = "train"


def load_recognizer(region: str | None, *, threads: int = 0) -> Recognizer:
    """Load the models for region (the plate_region setting when None), or exit with a message.

    threads: the models' threads per image (0: one per core).
    """
    with cli_errors():
        region = region or get_settings().plate_region
    try:
        return Recognizer.load(region=region, threads=threads)
    except (ModelError, ValueError) as exc:
        errors.print(f"[red]cannot start:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None


def _emit(obj: dict, as_json: bool, text: str) -> None:
    typer.echo(json.dumps(obj) if as_json else text)


def _plate_json(source: str, read: PlateRead) -> dict:
    return {
        "kind": "plate",
        "source": source,
        "plate": read.text,
        "confidence": round(read.confidence, 4),
        "box": list(read.box),
        "corners": [[round(x, 1), round(y, 1)] for x, y in read.corners],
        "alternatives": [[t, round(p, 4)] for t, p in read.alternatives],
        "jurisdiction": read.jurisdiction,
        "jurisdiction_confidence": None
        if read.jurisdiction_confidence is None
        else round(read.jurisdiction_confidence, 4),
    }


def _images(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return [path]


def _read_video(source: str, recognizer: Recognizer, as_json: bool, realtime: bool) -> bool:
    stats = VideoStats()
    try:
        for p in read_video(source, recognizer, stats, realtime):
            obj = _plate_json(source, p.best) | {
                "plate": p.text,
                "confidence": round(p.confidence, 4),
                "alternatives": [[t, round(c, 4)] for t, c in p.alternatives],
                "first_frame": p.first_frame,
                "last_frame": p.last_frame,
                "reads": p.reads,
            }
            _emit(
                obj,
                as_json,
                f"{source} frames {p.first_frame}-{p.last_frame}: {p.text} "
                f"{p.confidence:.2f} box={list(p.best.box)}",
            )
    except OSError as exc:
        _emit(
            {"kind": "error", "source": source, "error": str(exc)},
            as_json,
            f"{source}: error: {exc}",
        )
        return False
    summary = {
        "kind": "video",
        "source": source,
        "frames": stats.frames,
        "processed": stats.processed,
        "skipped": stats.skipped,
        "reconnects": stats.reconnects,
        "fps": round(stats.fps, 2),
        "gave_up": stats.gave_up,
    }
    ended = "; the stream dropped and could not be reopened" if stats.gave_up else ""
    _emit(
        summary,
        as_json,
        f"{source}: {stats.frames} frames, {stats.processed} processed, "
        f"{stats.skipped} skipped to keep up, {stats.reconnects} reconnects{ended}",
    )
    return not stats.gave_up


def read(
    source: Annotated[
        str, typer.Argument(help="An image, a folder of images, a video file or a stream URL.")
    ],
    as_json: JsonFlag = False,
    every_frame: Annotated[
        bool, typer.Option(help="Process every video frame instead of keeping up.")
    ] = False,
    region: RegionOption = None,
) -> None:
    """Read the plates in an image, a folder of images, a video or a stream."""
    recognizer = load_recognizer(region)
    path = Path(source)
    if is_stream(source) or path.suffix.lower() in VIDEO_SUFFIXES:
        ok = _read_video(source, recognizer, as_json, realtime=not every_frame)
        raise typer.Exit(0 if ok else 1)
    if not path.exists():
        _emit(
            {"kind": "error", "source": source, "error": "no such file"},
            as_json,
            f"{source}: no such file",
        )
        raise typer.Exit(1)
    failed = 0
    for image_path in _images(path):
        try:
            reads = recognizer.recognize(load_image(image_path))
        except (ImageError, cv2.error) as exc:  # one line for this image; the others go on
            failed += 1
            reason = str(exc) if isinstance(exc, ImageError) else "the plates could not be read"
            _emit(
                {"kind": "error", "source": str(image_path), "error": reason},
                as_json,
                f"{image_path}: error: {reason}",
            )
            continue
        for r in reads:
            _emit(
                _plate_json(str(image_path), r),
                as_json,
                f"{image_path}: {r.text} {r.confidence:.2f}"
                f"{' ' + r.jurisdiction if r.jurisdiction else ''} box={list(r.box)}",
            )
        if not reads and not as_json:  # a person is told; --json stays one object a plate
            typer.echo(f"{image_path}: no plate found")
    raise typer.Exit(1 if failed else 0)


def eval_(
    folder: Annotated[Path, typer.Argument(help="A folder with truth.jsonl and its images.")],
    as_json: JsonFlag = False,
    split: Annotated[
        Split, typer.Option(help="Score all rows, or the held-out or train split.")
    ] = Split.all,
    region: RegionOption = None,
) -> None:
    """Score recognition on a labelled folder: detection recall, top-1, top-5, characters, time."""
    if not (folder / "truth.jsonl").exists():
        typer.echo(f"{folder}: no truth.jsonl", err=True)
        raise typer.Exit(1)
    report = evaluate(folder, load_recognizer(region), split.value)
    result = report.as_json()
    if as_json:
        typer.echo(json.dumps(result))
        return
    for m in result["misses"]:
        typer.echo(f"miss {m['image']}: truth {m['truth']} read {m.get('read', m.get('error'))!r}")
    recall = result["detection_recall"]
    parts = [f"{result['set']} ({result['split']}, {result['mode']}): {result['images']} images"]
    if recall is not None:
        parts.append(f"detection {recall:.1%}")
    parts += [
        f"top-1 {result['top1']:.1%}",
        f"top-5 {result['top5']:.1%}",
        f"chars {result['char_accuracy']:.1%}",
        f"median {result['median_ms']} ms",
        f"p95 {result['p95_ms']} ms",
    ]
    typer.echo(", ".join(parts))
