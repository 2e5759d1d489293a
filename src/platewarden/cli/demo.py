"""`platewarden demo`: a fresh SQLite instance that lives through 100 days, narrated."""

import random
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.rule import Rule

from platewarden.cli.context import cli_errors, console
from platewarden.cli.demo_department import camera_read, serve_demo
from platewarden.cli.times import show_time
from platewarden.domain import (
    Actor,
    CameraKind,
    HoldKind,
    NewRead,
    Outcome,
)
from platewarden.policy.access import Role
from platewarden.selection import ReadSelection
from platewarden.services import alerts, cameras, holds, hotlists, purge
from platewarden.services.audit_review import verify_trail
from platewarden.services.export import export_hold, verify_export
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime, open_runtime
from platewarden.settings import Settings, sqlite_url

CAMERAS = [
    ("main-and-5th", "Main St & 5th Ave", 46.5891, -112.0391),
    ("last-chance-gulch", "Last Chance Gulch", 46.5857, -112.0407),
    ("unit-12", "Patrol unit 12", 46.5960, -112.0270),
]
DAYS = 100


class SimulatedClock:
    """A clock the demo moves forward, so that 100 days pass in seconds."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        """Return the simulated time."""
        return self.at


def demo(
    data_dir: Annotated[
        Path | None, typer.Option(help="A new folder for the demo instance (default: temporary).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulated traffic.")] = 7,
    serve: Annotated[
        bool,
        typer.Option(help="Then serve the folder as a demo department to log on to in a browser."),
    ] = True,
    every: Annotated[
        float, typer.Option(min=1, help="Seconds between the live camera's reads while serving.")
    ] = 15,
) -> None:
    """Run a fresh SQLite instance through ingest, a hold, a purge and an evidence export;
    then serve it as a demo department (members for every role, a live camera)."""
    folder = data_dir or Path(tempfile.mkdtemp(prefix="platewarden-demo-"))
    if folder.exists() and any(folder.iterdir()):
        console.print(f"[red]refused:[/red] {folder} is not empty; the demo needs a new folder")
        raise typer.Exit(1)
    with cli_errors():
        _run(folder, random.Random(seed))
        if serve:
            serve_demo(folder, every_s=every)


def _run(folder: Path, rng: random.Random) -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    clock = SimulatedClock(today - timedelta(days=DAYS))
    rt = open_runtime(Settings(data_dir=folder, database_url=sqlite_url(folder)), clock=clock)
    operator = Actor(
        "demo-operator",
        frozenset({Role.ADMINISTRATOR, Role.RECORDS_CUSTODIAN, Role.OFFICER, Role.AUDITOR}),
    )
    feed = Actor("camera-feed", frozenset({Role.SYSTEM}))
    console.print(Rule("Platewarden demo"))
    console.print(f"A fresh instance in {folder} (SQLite, images encrypted per day).")
    console.print(f"Policy: {rt.policy.agency}, retention {rt.policy.retention.days} days.")

    for name, location, lat, lon in CAMERAS:
        kind = CameraKind.MOBILE if name.startswith("unit") else CameraKind.FIXED
        cameras.add_camera(
            rt, operator, name=name, kind=kind, location=location, latitude=lat, longitude=lon
        )
    console.print(f"Registered {len(CAMERAS)} cameras: {', '.join(c[0] for c in CAMERAS)}.")

    suspect, stolen = "BZK4471", "STL8812"
    total = 0
    raised: list[int] = []
    for day in range(DAYS):
        start = today - timedelta(days=DAYS - day)
        clock.at = start + timedelta(hours=23)  # the day's reads arrive as they happen
        if day == DAYS - 6:
            _load_hotlist(rt, operator, stolen)
        planted = {(5, 0): suspect, (DAYS - 5, 3): stolen}
        batch = [_read(rng, start, n, planted.get((day, n))) for n in range(12)]
        result = ingest_reads(rt, feed, batch)
        total += result.stored
        raised += result.alerts
        # A patrol car re-sends a batch after losing its connection: nothing is stored twice.
        if day == 40:
            again = ingest_reads(rt, feed, batch)
            console.print(
                f"Day {day}: unit-12 re-sent a batch of {again.received}: "
                f"{again.duplicates} already stored, {again.stored} new."
            )
    console.print(f"Ingested {total} reads with frame and plate images over {DAYS} days.")
    _confirm_hits(rt, operator, raised)

    clock.at = datetime.now(UTC)
    hold = holds.create_hold(
        rt,
        operator,
        kind=HoldKind.EVIDENCE,
        purpose="major_crime",
        case_number="26-04417",
        reason="vehicle seen leaving the scene of a shooting",
        selection=ReadSelection(plates=(suspect,)),
    )
    console.print(
        f"Hold {hold.id}: evidence in case {hold.case_number}, plate {suspect}, "
        f"{hold.read_count} read kept past retention."
    )

    run = purge.purge(rt, operator)
    cutoff = show_time(run.cutoff, rt.settings.zone)
    console.print(
        f"Purge with cutoff {cutoff}: {run.reads_purged} reads and "
        f"{run.images_purged} images deleted, {run.reads_kept_by_holds} kept by the hold, "
        f"{len(run.days_shredded)} days' keys destroyed."
    )

    export_dir = folder / "evidence-E-2026-0117"
    exported = export_hold(
        rt, operator, hold_id=hold.id, evidence_number="E-2026-0117", destination=export_dir
    )
    console.print(
        f"Exported hold {hold.id} to {export_dir}: {exported.read_count} reads, "
        f"{exported.image_count} images; manifest SHA-256 {exported.manifest_sha256[:16]}…"
    )
    check = verify_export(export_dir)
    console.print(f"verify-export: {check.files_checked} files match the manifest.")

    tampered = folder / "tampered-copy"
    shutil.copytree(export_dir, tampered)
    (tampered / "reads.csv").write_text("edited by someone\n")
    changed = verify_export(tampered).changed
    console.print(f"A copy with reads.csv edited fails verification: changed {changed}.")
    problems = verify_trail(rt, operator)
    console.print(f"Audit trail: {problems or 'intact'}.")
    rt.close()
    console.print(Rule("done"))


def _load_hotlist(rt: Runtime, operator: Actor, stolen: str) -> None:
    extract = (
        f"LIC|LIS|TYP|NIC\n{stolen}|MT|Stolen Vehicle|V26000417\nKXT442|CO|Stolen Plate|P26000099\n"
    )
    load = hotlists.import_hotlist(rt, operator, source="ncic", data=extract.encode())
    console.print(
        f"Loaded hot list ncic, version {load.version.id}: {load.version.entry_count} entries."
    )


def _confirm_hits(rt: Runtime, operator: Actor, raised: list[int]) -> None:
    for alert_id in raised:
        view = alerts.view_alert(rt, operator, alert_id=alert_id)
        console.print(
            f"Alert {alert_id}: {view.alert.explanation}; the officer compares the images."
        )
        alerts.confirm_visually(rt, operator, alert_id=alert_id)
        confirmed = alerts.confirm_by_other_means(
            rt, operator, alert_id=alert_id, how="NCIC re-check", answer="still stolen, VIN matches"
        )
        alerts.record_outcome(rt, operator, alert_id=alert_id, outcome=Outcome.VEHICLE_RECOVERED)
        console.print(
            f"Alert {alert_id} {confirmed.status.value} by eye and by NCIC; vehicle recovered."
        )


def _read(rng: random.Random, at: datetime, n: int, plate: str | None) -> NewRead:
    name, _, lat, lon = CAMERAS[n % len(CAMERAS)]
    return camera_read(rng, at, plate, camera=name, position=(lat, lon), n=n)
