"""The patrol-car unit against a real station: recognition in the car, the drain after a reconnect.

Starts a real `platewarden serve --no-worker` on a free loopback port over a fresh data folder
(SQLite, or a fresh schema of the PostgreSQL database given with --database-url), registers the
car's camera and its unit with `platewarden device add --unit`, puts the plates of every other
photo on a hot list, and sets a unit up in a fresh folder (the unit's own SQLite database) that
syncs the hot lists, the policy and the members, and an officer logs on in the car.

- unit/recognition: 1280x720 frames made of the photos in ../shared/data/plates/us (read there,
  never copied) go through the unit's own path (`unit run`: recognise, match against the copy,
  store encrypted, queue) in batches of 25, the station stopped; frames per second, per run.
- unit/drain: --reads reads (each with its real plate crop from us-crops) are queued with the
  station stopped; the station starts again and the time from its first answer to an empty
  queue is measured (the unit's `forward`: batches of --batch, in order); then every read at
  the station is counted: lost (queued, not at the station) and duplicated (stored twice).

    python benchmarks/unit.py [--frames 50] [--runs 3] [--reads 10000] [--batch 20]
    python benchmarks/unit.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import httpx
import numpy as np
from sqlalchemy import func, select
from typer.testing import CliRunner

from platewarden.cli.main import app as cli
from platewarden.domain import Actor, Alternative, NewRead
from platewarden.policy.access import Role
from platewarden.services import auth, hotlists, members
from platewarden.services.capture import Frame, ingest_frames
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime, open_runtime
from platewarden.services.unit_status import register_camera, unit_status
from platewarden.store.schema import reads
from platewarden.unit.config import UnitConfig, open_unit, save_config, unit_actor
from platewarden.unit.outbox import forward
from platewarden.unit.station import Station
from platewarden.unit.sync import sync_hotlists
from platewarden.vision import Recognizer
from serve import ADMIN, PASSWORD, PHOTOS, instance, log

CROPS = PHOTOS.parent / "us-crops"
CAR = "car-1"
FRAME_BATCH = 25  # as `platewarden unit run` reads a folder
SIZE = (1280, 720)


def main() -> None:
    """Run the benchmark and print its JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL (a fresh schema); SQLite if not given")
    parser.add_argument("--frames", type=int, default=50, help="frames per recognition run")
    parser.add_argument("--runs", type=int, default=3, help="recognition runs")
    parser.add_argument("--reads", type=int, default=10_000, help="reads queued for the drain")
    parser.add_argument("--batch", type=int, default=20, help="reads per request when draining")
    args = parser.parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    frames = load_frames()
    recognizer = Recognizer.load(region="any")
    with instance(args.database_url) as (settings, env):
        config = enrol(env)
        station_rt = open_runtime(settings)
        unit_folder = Path(tempfile.mkdtemp(prefix="platewarden-unit-bench-"))
        save_config(unit_folder, config)
        unit = open_unit(unit_folder)
        try:
            machine = unit_actor(config)
            register_camera(unit, machine, camera=CAR)
            frames = prepare_station(station_rt, recognizer, frames)
            with station(env) as url, Station(moved(config, url)) as link:
                sync_hotlists(unit, machine, config, link)
            officer = auth.log_on(unit, username="officer", password=PASSWORD).actor
            log(f"officer {officer.name} logged on in the car")
            rec = recognition(unit, machine, recognizer, frames, runs=args.runs, count=args.frames)
            print(json.dumps({"benchmark": "unit", "part": "recognition", **rec}), flush=True)
            drained = drain(unit, station_rt, config, env, reads_count=args.reads, batch=args.batch)
            line = {"benchmark": "unit", "part": "drain", "backend": backend, **drained}
            print(json.dumps(line), flush=True)
        finally:
            unit.close()
            station_rt.close()


def load_frames() -> list[bytes]:
    """Return the US photos as 1280x720 JPEG frames (letterboxed when their shape differs)."""
    if not PHOTOS.is_dir():
        sys.exit(f"no photos at {PHOTOS}: this benchmark needs ../shared/data")
    frames = []
    for path in sorted(PHOTOS.glob("*.jpg")):
        image = cv2.imread(str(path))
        if image is None:
            continue
        if image.shape[:2] != (SIZE[1], SIZE[0]):
            scale = min(SIZE[0] / image.shape[1], SIZE[1] / image.shape[0])
            resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            canvas = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
            top = (SIZE[1] - resized.shape[0]) // 2
            left = (SIZE[0] - resized.shape[1]) // 2
            canvas[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
            image = canvas
        frames.append(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    log(f"{len(frames)} frames of 1280x720 from {PHOTOS}")
    return frames


def enrol(env: dict[str, str]) -> UnitConfig:
    """Add the car's camera and its unit at the station; return the unit's settings."""
    runner = CliRunner()
    for args in (["camera", "add", CAR], ["device", "add", "unit-1", "--camera", CAR, "--unit"]):
        result = runner.invoke(cli, args, env=env)
        if result.exit_code != 0:
            sys.exit(f"platewarden {' '.join(args)} failed: {result.output}")
    token, key = result.output.split()[-2:]
    return UnitConfig("unit-1", CAR, "http://127.0.0.1:1", token, key)


def moved(config: UnitConfig, url: str) -> UnitConfig:
    """Return the unit's settings with the station's address."""
    return UnitConfig(config.name, config.camera, url, config.token, config.key)


def prepare_station(rt: Runtime, recognizer: Recognizer, frames: list[bytes]) -> list[bytes]:
    """Add a trained officer, put every other frame's plates on the hot list; return the frames
    whose reads ingest takes (a misread longer than a plate refuses its whole batch)."""
    members.add_member(
        rt, ADMIN, username="officer", full_name="Officer", password=PASSWORD, roles=[Role.OFFICER]
    )
    course = rt.policy.training.courses[Role.OFFICER.value]
    members.record_training(
        rt, ADMIN, username="officer", course=course, completed_on=rt.clock.now()
    )
    kept, hot = [], set()
    for number, jpeg in enumerate(frames):
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        plates = {read.text for read in recognizer.recognize(image)}
        if all(1 <= len(plate) <= 10 for plate in plates):
            kept.append(jpeg)
            hot |= plates if number % 2 == 0 else set()
    for plate in sorted(hot):
        hotlists.add_entry(rt, ADMIN, plate=plate, purpose="stolen_vehicle", case_number="B-1")
    log(f"{len(hot)} plates on the hot list; {len(frames) - len(kept)} frames left out")
    return kept


@contextmanager
def station(env: dict[str, str]) -> Iterator[str]:
    """Run `platewarden serve --no-worker` until the block ends; yield its address."""
    url = f"http://{env['PLATEWARDEN_LISTEN']}"
    logfile = Path(env["PLATEWARDEN_DATA_DIR"]).parent / "serve.log"
    command = [sys.executable, "-m", "platewarden", "serve", "--no-worker"]
    with logfile.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the station did not start: {logfile.read_text()[-2000:]}")
            try:
                httpx.get(f"{url}/api/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def recognition(
    unit: Runtime,
    machine: Actor,
    recognizer: Recognizer,
    frames: list[bytes],
    *,
    runs: int,
    count: int,
) -> dict[str, object]:
    """Time the unit's read path on 1280x720 frames; frames per second of each run."""
    rates, plates, alerts = [], 0, 0
    start = datetime.now(UTC) - timedelta(minutes=30)
    for run in range(runs):
        batch = [
            Frame(_tagged(frames[n % len(frames)], f"run{run}-{n}"), start + timedelta(seconds=n))
            for n in range(count)
        ]
        began = time.perf_counter()
        for first in range(0, count, FRAME_BATCH):
            result = ingest_frames(
                unit, machine, recognizer, camera=CAR, frames=batch[first : first + FRAME_BATCH]
            )
            plates += result.plates
            alerts += len(result.ingest.alerts)
        rates.append(count / (time.perf_counter() - began))
        log(f"recognition run {run + 1}: {rates[-1]:.2f} frames/s")
    return {
        "image": f"{SIZE[0]}x{SIZE[1]}",
        "frames_per_s": round(statistics.median(rates), 2),
        "runs": runs,
        "frames": count,
        "spread": [round(min(rates), 2), round(max(rates), 2)],
        "plates": plates,
        "alerts": alerts,
        "threads": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def _tagged(jpeg: bytes, tag: str) -> bytes:
    """Return the JPEG with a comment segment: each frame's bytes (and read ids) its own."""
    comment = tag.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


def drain(
    unit: Runtime,
    station_rt: Runtime,
    config: UnitConfig,
    env: dict[str, str],
    *,
    reads_count: int,
    batch: int,
) -> dict[str, object]:
    """Queue reads with the station away, start it, time the drain; count lost and doubled."""
    machine = unit_actor(config)
    crops = [path.read_bytes() for path in sorted(CROPS.glob("*.png"))]
    if not crops:
        sys.exit(f"no crops at {CROPS}: this benchmark needs ../shared/data")
    now = datetime.now(UTC)
    for first in range(0, reads_count, 500):
        ingest_reads(
            unit,
            machine,
            [
                NewRead(
                    client_read_id=f"drain-{n}",
                    plate=f"DR{n:05d}",
                    captured_at=now - timedelta(seconds=reads_count - n),
                    confidence=0.9,
                    camera=CAR,
                    jurisdiction="MT",
                    alternatives=(Alternative(f"DR{n:05d}", 0.9),),
                    latitude=46.59,
                    longitude=-112.04,
                    crop_image=crops[n % len(crops)],
                )
                for n in range(first, min(first + 500, reads_count))
            ],
        )
    with unit.engine.connect() as conn:  # measuring: every read in the car is queued now
        queued = set(conn.scalars(select(reads.c.client_read_id)))
    waiting = unit_status(unit, machine).queued
    log(f"{waiting} reads queued in the car; the station starts again")
    with station(env) as url, Station(moved(config, url)) as link:
        began = time.perf_counter()  # the station answers: reconnected
        done = forward(unit, machine, link, batch_size=batch)
        seconds = time.perf_counter() - began
    with station_rt.engine.connect() as conn:
        counts = dict(
            conn.execute(
                select(reads.c.client_read_id, func.count()).group_by(reads.c.client_read_id)
            ).all()
        )
    log(f"drained {done.sent} reads in {seconds:.1f} s; {done.retries} retries")
    return {
        "queued": waiting,
        "with_frame": waiting - reads_count,  # the recognition runs' reads carry their frame
        "batch": batch,
        "drain_s": round(seconds, 2),
        "reads_per_s": round(done.sent / seconds, 1),
        "acknowledged": done.sent,
        "lost": len(queued - set(counts)),
        "duplicated": sum(n - 1 for n in counts.values()),
        "left_in_queue": unit_status(unit, machine).queued,
        "audit_records_sent": done.audit_sent,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    main()
