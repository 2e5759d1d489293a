"""`platewarden unit`: the patrol car's laptop, reading and alerting with no network."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from platewarden.api.encode import to_json
from platewarden.cli import unit_officer
from platewarden.cli.context import cli_errors, console, errors
from platewarden.cli.output import JsonFlag, print_json
from platewarden.cli.unit_context import UnitDir, opened_unit, unit_errors, unit_member
from platewarden.cli.vision import load_recognizer
from platewarden.domain import Actor
from platewarden.local_time import show_span
from platewarden.services.capture import Frame, ingest_frames, ingest_video
from platewarden.services.errors import Problem
from platewarden.services.runtime import Runtime
from platewarden.services.unit_retention import purge_expired
from platewarden.services.unit_status import (
    alerts_after,
    newest_alert_id,
    register_camera,
    unit_status,
)
from platewarden.unit.config import (
    UnitConfig,
    open_unit,
    save_config,
    unit_actor,
    unit_dir,
)
from platewarden.unit.outbox import forward
from platewarden.unit.station import Station, StationUnreachableError
from platewarden.unit.sync import sync_hotlists
from platewarden.vision.images import IMAGE_SUFFIXES, ImageError, read_image_file
from platewarden.vision.video import VIDEO_SUFFIXES, is_stream

app = typer.Typer(
    help="The patrol car's unit: reads and alerts in the car, hands every read to the station.",
    no_args_is_help=True,
)

BATCH = 25


@app.command("init")
def init(
    name: Annotated[str, typer.Option(help="The unit's device name at the station.")],
    camera: Annotated[str, typer.Option(help="The car's camera, as registered at the station.")],
    server: Annotated[str, typer.Option(help="The station's URL (https://…).")],
    folder: UnitDir = None,
) -> None:
    """Set up this laptop as a unit: asks for the token and key `device add --unit` printed."""
    token = typer.prompt("device token", hide_input=True).strip()
    key = typer.prompt("hot-list key", hide_input=True).strip()
    config = UnitConfig(name=name, camera=camera, server_url=server, token=token, key=key)
    where = unit_dir(folder)
    with cli_errors(), unit_errors():
        save_config(where, config)
        rt = open_unit(where)
        try:
            register_camera(rt, unit_actor(config), camera=config.camera)
        finally:
            rt.close()
    console.print(f"unit {name} set up in {where}; run `platewarden unit sync` while in reach")


@app.command("sync")
def sync(folder: UnitDir = None) -> None:
    """Pull the hot-list changes since the copy held, checked as coming from the station."""
    with opened_unit(folder) as (rt, config, actor):
        try:
            with Station(config) as station:
                applied = sync_hotlists(rt, actor, config, station)
        except StationUnreachableError as exc:
            errors.print(f"{exc}; the copy held stays in use", highlight=False)
            raise typer.Exit(1) from None
        _purge(rt, actor)  # the station's policy may have shortened the retention
    kind = "a full copy" if applied.full else "changes"
    console.print(
        f"hot lists: {kind}, {applied.added} entries added, {applied.removed} removed "
        f"(version {applied.cursor})",
        highlight=False,
    )


@app.command("run")
def run(
    sources: Annotated[
        list[str], typer.Argument(help="Image files, folders, video files or stream URLs.")
    ],
    folder: UnitDir = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> None:
    """Read the car's camera, alert from the local hot lists, and queue every read encrypted.

    Needs no network: alerts come from the copy of the hot lists (STALE when it is older than
    the policy allows); `platewarden unit forward` hands the reads to the station. The alerts
    are shown to the member logged on at the unit (`platewarden unit login`), no one else.
    """
    missing = [s for s in sources if not is_stream(s) and not Path(s).exists()]
    if missing:
        errors.print(f"no such file or folder: {', '.join(missing)}", highlight=False)
        raise typer.Exit(1)
    reader = load_recognizer(None)
    with opened_unit(folder) as (rt, config, actor):
        member = unit_member(rt)
        _purge(rt, actor)
        if unit_status(rt, actor).stale(rt.clock.now()):
            errors.print("the hot-list copy is older than the policy allows: alerts are STALE")
        seen = newest_alert_id(rt, member)
        dropped = 0
        for source in sources:
            if is_stream(source) or Path(source).suffix.lower() in VIDEO_SUFFIXES:
                video = ingest_video(
                    rt,
                    actor,
                    reader,
                    camera=config.camera,
                    source=source,
                    started_at=datetime.now(UTC),
                    realtime=is_stream(source),
                )
                dropped += video.dropped
                _not_stored(video.refused)
                seen = _announce(rt, member, seen)
            for batch in _image_batches(Path(source), latitude, longitude):
                done = ingest_frames(rt, actor, reader, camera=config.camera, frames=batch)
                dropped += done.dropped
                _not_stored(done.problems + done.refused)
                seen = _announce(rt, member, seen)
        queued = unit_status(rt, actor).queued
    if dropped:
        errors.print(f"{dropped} recognised texts longer than any plate dropped", highlight=False)
    console.print(f"{queued} reads queued for the station")


@app.command("forward")
def forward_(
    folder: UnitDir = None,
    give_up_after: Annotated[
        float, typer.Option(help="Seconds to keep trying while the station is away.")
    ] = 300.0,
    first_delay: Annotated[
        float, typer.Option(help="Seconds before the first retry; doubled each time, to 60.")
    ] = 1.0,
    batch: Annotated[int, typer.Option(min=1, max=100, help="Reads per request.")] = 20,
) -> None:
    """Send every queued read to the station in order, deleting each once acknowledged."""
    with opened_unit(folder) as (rt, config, actor):
        _purge(rt, actor)
        try:
            with Station(config) as station:
                done = forward(
                    rt,
                    actor,
                    station,
                    batch_size=batch,
                    give_up_after_s=give_up_after,
                    base_delay_s=first_delay,
                )
        except StationUnreachableError as exc:
            errors.print(f"{exc}; the reads stay queued", highlight=False)
            raise typer.Exit(1) from None
    console.print(
        f"{done.sent} reads sent: {done.stored} stored at the station, "
        f"{done.duplicates} it had already; {done.retries} retries; "
        f"{done.set_aside} refused and set aside; {done.audit_sent} audit records and "
        f"{done.alerts_sent} alerts with their confirmations sent"
    )


@app.command("status")
def status(folder: UnitDir = None, as_json: JsonFlag = False) -> None:
    """Show what is queued, the hot-list copy's version and age, and the last contact."""
    with opened_unit(folder) as (rt, config, actor):
        _purge(rt, actor)
        held = unit_status(rt, actor)
        now = rt.clock.now()
    if as_json:
        unit = {"unit": config.name, "camera": config.camera}
        print_json([unit | to_json(held) | {"stale": held.stale(now)}])
        return
    age = held.hotlist_age(now)
    console.print(f"unit {config.name} (camera {config.camera}) → {config.server_url}")
    console.print(f"queued reads: {held.queued} ({held.kept_for_alerts} sent, kept for alerts)")
    if age is None:
        console.print("hot lists: none yet (STALE): run `platewarden unit sync`")
    else:
        stale = " STALE" if held.stale(now) else ""
        console.print(
            f"hot lists: {held.hotlist_entries} entries, version {held.hotlist_cursor}, "
            f"{show_span(age)} old{stale}",
            highlight=False,
        )
    contact = f"{show_span(now - held.last_contact)} ago" if held.last_contact else "never"
    console.print(f"last contact with the station: {contact}")
    console.print(f"policy: the station's version {held.policy_version or '(none yet)'}")
    if held.set_aside:
        console.print(f"[yellow]{len(held.set_aside)} reads refused by the station, kept apart:")
        for read in held.set_aside:
            console.print(
                f"  {read.client_read_id} ({read.status_code}): {read.reason}",
                highlight=False,
                markup=False,
            )


def _purge(rt: Runtime, actor: Actor) -> None:
    """Purge the reads and day keys past the policy's retention, saying so when there were any."""
    done = purge_expired(rt, actor)
    if done.purged:
        errors.print(
            f"purged {done.purged} reads older than the retention period "
            f"({done.never_forwarded} the station never received)",
            highlight=False,
        )
    if done.days_shredded:
        errors.print(
            f"destroyed the image keys of {len(done.days_shredded)} days past the retention "
            f"period: {', '.join(done.days_shredded)}",
            highlight=False,
        )


def _not_stored(problems: list[Problem]) -> None:
    """Name each frame that could not be read and each read the unit's ingest refused."""
    for problem in problems:
        errors.print(f"not stored: {problem}", highlight=False, markup=False)


def _announce(rt: Runtime, actor: Actor, seen: int) -> int:
    """Print the alerts raised since an id; return the newest id."""
    for alert in alerts_after(rt, actor, after=seen):
        marks = " ".join(m for m, on in (("STALE", alert.stale), ("LATE", alert.late)) if on)
        console.print(
            f"[bold red]ALERT[/bold red] {alert.plate} ({alert.kind}, entry {alert.entry_id}) "
            f"{marks} — confirm by eye before acting",
            highlight=False,
        )
        seen = alert.id
    return seen


def _image_batches(
    path: Path, latitude: float | None, longitude: float | None
) -> Iterator[list[Frame]]:
    """Yield a folder's (or one file's) images as frames, a batch at a time."""
    if path.suffix.lower() in VIDEO_SUFFIXES or is_stream(str(path)):
        return
    files = (
        sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if path.is_dir()
        else [path]
    )
    for start in range(0, len(files), BATCH):
        batch = []
        for file in files[start : start + BATCH]:
            try:
                data = read_image_file(file)
            except ImageError as exc:
                errors.print(f"skipped {file.name}: {exc}", highlight=False, markup=False)
                continue
            taken = datetime.fromtimestamp(file.stat().st_mtime, UTC)
            batch.append(Frame(data, taken, file.name, latitude, longitude))
        yield batch


# The officer's commands (log-on, alerts) after the unit's own.
app.registered_commands.extend(unit_officer.app.registered_commands)
