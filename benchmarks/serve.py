"""The server under camera load: `platewarden serve` on loopback, cameras posting real frames.

Starts a real `platewarden serve` (one recognition worker) on a free loopback port over a fresh
data folder (SQLite, or a fresh schema of the PostgreSQL database given with --database-url),
registers cameras and their device tokens with `platewarden device add`, puts plates of the
photos on a hot list, then N camera threads POST photos from ../shared/data/plates/us to
/api/v1/frames at a fixed total rate while an officer listens to /api/v1/alerts/stream.

Prints JSON lines (../shared/BENCHMARKS.md) to stdout and progress to stderr:
- serve: frames acknowledged per second; frame-to-alert latency from the POST's start to the
  alert seen on the stream (alert_*) and to the alert row's creation (raised_*); the largest
  queue depth; reads stored against the reads the acknowledged frames hold (lost, duplicated,
  counted by an investigator's area search for a purpose);
- serve/reads: POST /api/v1/reads in batches of 500, reads stored per second, from one device
  and from two at once (the spread: single batches' rates).

With --kill-worker the server runs with --no-worker beside a `platewarden worker` process,
which is killed with SIGKILL half-way and started again; its leased frames come back after the
queue's lease (2 minutes), so that run takes about 3 minutes.

Each photo is sent many times: a JPEG comment with the camera and frame number makes each
frame's bytes (and so its read ids) its own, and the benchmark's policy folds no hits
(alerts.fold_minutes = 0), so every frame of a hot plate raises an alert to time.

    python benchmarks/serve.py [--cameras 4] [--fps 10] [--seconds 60] [--kill-worker]
    python benchmarks/serve.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from platewarden.cli.main import app as cli
from platewarden.domain import Actor
from platewarden.policy.access import Role
from platewarden.services import frames, hotlists, members
from platewarden.services.runtime import Runtime, open_runtime, upgrade_schema
from platewarden.services.search import SearchQuery, search_reads
from platewarden.settings import Settings, sqlite_url
from platewarden.vision import Recognizer

PHOTOS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "plates" / "us"
POLICY = Path(__file__).resolve().parents[1] / "src/platewarden/policy/default_policy.toml"
ADMIN = Actor("bench-admin", frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR}))
SYSTEM = Actor("bench-queue", frozenset({Role.SYSTEM}))
INVESTIGATOR = Actor("bench-investigator", frozenset({Role.INVESTIGATOR}))
PASSWORD = "loopback-bench-passphrase-7"
PLACE = (46.5891, -112.0391)  # every camera stands here; reads are counted by an area search
READS_BATCH = 500


def log(message: str) -> None:
    """Print progress for a person, on stderr."""
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Photo:
    """A photo from the data set and the plates the recognizer finds in it."""

    name: str
    jpeg: bytes
    plates: tuple[str, ...]


@dataclass
class Sent:
    """One frame a camera sent: when the POST started, and what the server answered."""

    camera: str
    frame_id: str
    photo: Photo
    digest: str  # the first part of its reads' ids: what the worker names the frame by
    started: float  # wall clock, comparable with the server's times
    acked: float | None = None
    tries: int = 0


@dataclass
class Run:
    """What the threads record while the cameras post."""

    sent: dict[datetime, Sent] = field(default_factory=dict)  # by the frame's capture time
    seen: dict[int, tuple[float, datetime, datetime]] = field(default_factory=dict)
    depths: list[tuple[float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_time: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))

    def capture_time(self) -> datetime:
        """Return now, later than any capture time given before (it names the frame)."""
        with self.lock:
            now = max(datetime.now(UTC), self.last_time + timedelta(microseconds=1))
            self.last_time = now
            return now


def main() -> None:
    """Run the benchmark and print its JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL (a fresh schema); SQLite if not given")
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--fps", type=float, default=10.0, help="frames per second, all cameras")
    parser.add_argument("--seconds", type=float, help="how long the cameras post (60; 30 killing)")
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL the worker half-way")
    parser.add_argument("--reads-batches", type=int, default=20, help="POST /reads batches of 500")
    args = parser.parse_args()
    seconds = args.seconds or (30.0 if args.kill_worker else 60.0)
    photos = load_photos()
    with instance(args.database_url) as (settings, env):
        backend = "postgresql" if args.database_url else "sqlite"
        tokens = register_devices(args.cameras)
        rt = open_runtime(settings)
        try:
            officer = prepare_members_and_hotlist(rt, photos)
            with server(env, worker=not args.kill_worker) as (url, worker):
                result = post_frames(
                    rt,
                    url,
                    officer=officer,
                    photos=photos,
                    tokens=tokens,
                    args=args,
                    seconds=seconds,
                    worker=worker,
                )
                print(json.dumps({"benchmark": "serve", "backend": backend, **result}), flush=True)
                for clients in (1, 2) if args.reads_batches and not args.kill_worker else ():
                    feeds = [tokens[f"feed-{n}"] for n in range(1, clients + 1)]
                    reads = post_reads(url, feeds, args.reads_batches)
                    line = {"benchmark": "serve", "endpoint": "reads", "backend": backend, **reads}
                    print(json.dumps(line), flush=True)
        finally:
            rt.close()


def load_photos() -> list[Photo]:
    """Read the US photos and keep those the recognizer finds a plate in."""
    if not PHOTOS.is_dir():
        sys.exit(f"no photos at {PHOTOS}: this benchmark needs ../shared/data")
    recognizer = Recognizer.load(region="any")
    photos = []
    for line in (PHOTOS / "truth.jsonl").read_text().splitlines():
        name = json.loads(line)["image"]
        jpeg = (PHOTOS / name).read_bytes()
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        plates = tuple(read.text for read in recognizer.recognize(image))
        if plates:
            photos.append(Photo(name, jpeg, plates))
    log(f"{len(photos)} photos with plates read")
    return photos


@contextmanager
def instance(database_url: str | None) -> Iterator[tuple[Settings, dict[str, str]]]:
    """A fresh data folder and database, and the environment every process of it runs with."""
    folder = Path(tempfile.mkdtemp(prefix="platewarden-serve-bench-"))
    schema, admin = None, None
    if database_url:
        schema = f"pw_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        database_url = url.render_as_string(hide_password=False)
    policy = folder / "policy.toml"
    policy.write_text(POLICY.read_text().replace("fold_minutes = 10", "fold_minutes = 0"))
    settings = Settings(data_dir=folder / "data", database_url=database_url or sqlite_url(folder))
    env = {
        "PLATEWARDEN_DATA_DIR": str(settings.data_dir),
        "PLATEWARDEN_DATABASE_URL": settings.database_url,
        "PLATEWARDEN_POLICY_FILE": str(policy),
        "PLATEWARDEN_LISTEN": f"127.0.0.1:{free_port()}",
    }
    os.environ.pop("PLATEWARDEN_CONFIG", None)
    os.environ.update(env)
    try:
        upgrade_schema(settings)
        yield settings, {**os.environ, **env}
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def register_devices(cameras: int) -> dict[str, str]:
    """Add the cameras and a device for each (and one feed of reads); return their tokens."""
    runner = CliRunner()

    def command(*args: str) -> str:
        result = runner.invoke(cli, list(args))
        if result.exit_code != 0:
            sys.exit(f"platewarden {' '.join(args)} failed: {result.output}")
        return result.output

    tokens = {}
    for n in range(1, cameras + 1):
        command(
            "camera", "add", f"cam-{n}", "--latitude", str(PLACE[0]), "--longitude", str(PLACE[1])
        )
        tokens[f"cam-{n}"] = command("device", "add", f"dev-{n}", "--camera", f"cam-{n}").split()[
            -1
        ]
    for n in (1, 2):
        feed = f"feed-{n}"
        tokens[feed] = command("device", "add", feed, "--source", f"bench-{feed}").split()[-1]
    return tokens


def prepare_members_and_hotlist(rt: Runtime, photos: list[Photo]) -> str:
    """Add a trained officer and put every other photo's plates on a hot list; return the
    officer's user name."""
    for username, role in (("officer", Role.OFFICER), ("investigator", Role.INVESTIGATOR)):
        members.add_member(
            rt, ADMIN, username=username, full_name=username, password=PASSWORD, roles=[role]
        )
        members.record_training(
            rt,
            ADMIN,
            username=username,
            course=rt.policy.training.courses[role.value],
            completed_on=rt.clock.now(),
        )
    hot = sorted({plate for photo in photos[::2] for plate in photo.plates})
    for plate in hot:
        hotlists.add_entry(
            rt, ADMIN, plate=plate, purpose="stolen_vehicle", case_number="BENCH-HOT"
        )
    log(f"{len(hot)} plates on the hot list")
    return "officer"


@contextmanager
def server(env: dict[str, str], *, worker: bool) -> Iterator[tuple[str, "Worker | None"]]:
    """Run `platewarden serve` (and, without its own worker, a `platewarden worker`)."""
    url = f"http://{env['PLATEWARDEN_LISTEN']}"
    logfile = Path(env["PLATEWARDEN_DATA_DIR"]).parent / "serve.log"
    command = [sys.executable, "-m", "platewarden", "serve", *([] if worker else ["--no-worker"])]
    with logfile.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    separate = None if worker else Worker(env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                sys.exit(f"the server stopped: {logfile.read_text()[-2000:]}")
            try:
                httpx.get(f"{url}/api/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        if separate is not None:
            separate.start()
        log(f"serving at {url}")
        yield url, separate
    finally:
        if separate is not None:
            separate.stop()
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Worker:
    """A `platewarden worker` process that can be killed and started again."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        """Start the worker and wait until it reads frames."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "platewarden", "worker"],
            env={**self.env, "COLUMNS": "200"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert self.process.stdout is not None
        said = b""
        while b"worker reading frames" not in said:  # after notes such as the policy's
            line = self.process.stdout.readline()
            if not line:
                sys.exit(f"the worker did not start: {said.decode(errors='replace')}")
            said += line
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def kill(self) -> None:
        """SIGKILL the worker in the middle of whatever it does."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        """Stop the worker."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def post_frames(
    rt: Runtime,
    url: str,
    *,
    officer: str,
    photos: list[Photo],
    tokens: dict[str, str],
    args: argparse.Namespace,
    seconds: float,
    worker: Worker | None,
) -> dict[str, Any]:
    """Post frames at the fixed rate, kill the worker if asked, wait for the queue to empty,
    and return the figures."""
    run = Run()
    stop = threading.Event()
    bearer = httpx.post(
        f"{url}/api/v1/session", json={"username": officer, "password": PASSWORD}
    ).json()["token"]
    ready = threading.Event()
    threading.Thread(target=listen, args=(url, bearer, run, ready, stop), daemon=True).start()
    if not ready.wait(30):
        sys.exit("the alert stream did not open")
    threading.Thread(target=sample_queue, args=(rt, run, stop), daemon=True).start()
    cameras = [name for name in tokens if name.startswith("cam-")]
    start = time.time() + 0.5
    until = start + seconds
    threads = [
        threading.Thread(
            target=camera,
            args=(url, name, tokens[name]),
            kwargs={
                "photos": photos,
                "run": run,
                "first": start + n / args.fps,
                "interval": len(cameras) / args.fps,
                "until": until,
                "offset": n,
            },
        )
        for n, name in enumerate(cameras)
    ]
    log(f"{len(cameras)} cameras post {args.fps:g} frames/s for {seconds:g} s")
    for thread in threads:
        thread.start()
    if worker is not None:
        time.sleep(max(0.0, start + seconds / 2 - time.time()))
        worker.kill()
        log(f"worker killed at {time.time() - start:.1f} s; started again")
        worker.start()
    for thread in threads:
        thread.join()
    posted_s = time.time() - start
    drained = wait_for_empty_queue(rt, run, timeout=200 if worker else 90)
    time.sleep(2.5)  # the stream looks for new alerts every second
    stop.set()
    return figures(
        rt,
        run,
        args=args,
        seconds=seconds,
        posted_s=posted_s,
        drained=drained,
        worker=worker,
    )


def camera(
    url: str,
    name: str,
    token: str,
    *,
    photos: list[Photo],
    run: Run,
    first: float,
    interval: float,
    until: float,
    offset: int,
) -> None:
    """Post frames on a fixed schedule (late frames go at once); re-send after 429 or a failure."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        n, due = 0, first
        while due < until:
            time.sleep(max(0.0, due - time.time()))
            photo = photos[(offset * 7 + n) % len(photos)]
            jpeg = with_comment(photo.jpeg, f"{name} frame {n}")
            captured_at = run.capture_time()
            sent = Sent(
                name, f"{name}-{n:06d}", photo, hashlib.sha256(jpeg).hexdigest()[:24], time.time()
            )
            with run.lock:
                run.sent[captured_at] = sent
            params = {
                "frame_id": sent.frame_id,
                "captured_at": captured_at.isoformat(),
                "latitude": PLACE[0],
                "longitude": PLACE[1],
            }
            while sent.acked is None and sent.tries < 20:
                sent.tries += 1
                try:
                    answer = http.post("/api/v1/frames", params=params, content=jpeg)
                except httpx.TransportError:
                    time.sleep(0.5)
                    continue
                if answer.status_code == 202:
                    sent.acked = time.time()
                elif answer.status_code == 429:
                    time.sleep(float(answer.headers.get("retry-after", "1")))
                else:
                    sys.exit(f"frame refused: {answer.status_code} {answer.text}")
            n, due = n + 1, due + interval


def with_comment(jpeg: bytes, comment: str) -> bytes:
    """Return the JPEG with a comment segment after its start marker: the same picture, other
    bytes."""
    body = comment.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(body) + 2).to_bytes(2, "big") + body + jpeg[2:]


def listen(url: str, bearer: str, run: Run, ready: threading.Event, stop: threading.Event) -> None:
    """Follow the alert stream as the officer; note when each new alert is seen."""
    headers = {"Authorization": f"Bearer {bearer}"}
    with httpx.stream(
        "GET", f"{url}/api/v1/alerts/stream", headers=headers, timeout=httpx.Timeout(30, read=None)
    ) as answer:
        event = ""
        for line in answer.iter_lines():
            if stop.is_set():
                return
            if line.startswith("event: "):
                event = line[7:]
                if event == "ready":
                    ready.set()
            elif line.startswith("data: ") and event == "alert":
                change = json.loads(line[6:])
                if change["change"] == "raised":
                    alert = change["alert"]
                    run.seen.setdefault(
                        alert["id"],
                        (
                            time.time(),
                            datetime.fromisoformat(alert["last_hit_at"]),
                            datetime.fromisoformat(alert["created_at"]),
                        ),
                    )


def sample_queue(rt: Runtime, run: Run, stop: threading.Event) -> None:
    """Note the queue's depth four times a second."""
    while not stop.is_set():
        run.depths.append((time.time(), frames.queue_depth(rt, SYSTEM)))
        stop.wait(0.25)


def wait_for_empty_queue(rt: Runtime, run: Run, *, timeout: float) -> bool:
    """Wait until the workers have read every queued frame; False if they did not in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if frames.queue_depth(rt, SYSTEM) == 0:
            return True
        time.sleep(0.25)
    log(f"the queue still holds {frames.queue_depth(rt, SYSTEM)} frames after {timeout:g} s")
    return False


def figures(
    rt: Runtime,
    run: Run,
    *,
    args: argparse.Namespace,
    seconds: float,
    posted_s: float,
    drained: bool,
    worker: Worker | None,
) -> dict[str, Any]:
    """Count the reads stored against the frames acknowledged, and time the alerts."""
    acked = [s for s in run.sent.values() if s.acked is not None]
    stored = stored_reads(rt, since=min(run.sent) - timedelta(minutes=1))
    lost = duplicated = 0
    for sent in acked:
        got = stored.pop(sent.digest, 0)
        lost += max(0, len(sent.photo.plates) - got)
        duplicated += max(0, got - len(sent.photo.plates))
    duplicated += sum(stored.values())  # reads of no acknowledged frame
    seen_ms, raised_ms = [], []
    for seen_at, hit_at, created_at in run.seen.values():
        sent = run.sent.get(hit_at)
        if sent is not None:
            seen_ms.append((seen_at - sent.started) * 1000)
            raised_ms.append((created_at.timestamp() - sent.started) * 1000)
    ack_ms = [(s.acked - s.started) * 1000 for s in acked if s.acked is not None]
    depths = [d for _, d in run.depths]
    print_depths(run)
    return {
        "cameras": args.cameras,
        "offered_fps": args.fps,
        "seconds": seconds,
        "frames_per_s": round(len(acked) / posted_s, 2),
        "alert_p50_ms": percentile(seen_ms, 50),
        "alert_p95_ms": percentile(seen_ms, 95),
        "raised_p50_ms": percentile(raised_ms, 50),
        "raised_p95_ms": percentile(raised_ms, 95),
        "ack_p50_ms": percentile(ack_ms, 50),
        "ack_p95_ms": percentile(ack_ms, 95),
        "alerts": len(seen_ms),
        "max_queue": max(depths, default=0),
        "acknowledged": len(acked),
        "reads": sum(len(s.photo.plates) for s in acked) - lost + duplicated,
        "lost": lost,
        "duplicated": duplicated,
        "drained": drained,
        "worker_kills": worker.kills if worker else 0,
    }


def stored_reads(rt: Runtime, *, since: datetime) -> dict[str, int]:
    """Count the reads stored per frame, as an investigator's area search for a purpose."""
    counts: dict[str, int] = {}
    after = None
    while True:
        page = search_reads(
            rt,
            INVESTIGATOR,
            SearchQuery(
                purpose="major_crime",
                case_number="BENCH-COUNT",
                latitude=PLACE[0],
                longitude=PLACE[1],
                radius_m=100,
                since=since,
                until=datetime.now(UTC) + timedelta(minutes=1),
                limit=1000,
                after=after,
            ),
        )
        for read in page.reads:
            digest = read.client_read_id.partition("#")[0]
            counts[digest] = counts.get(digest, 0) + 1
        if page.next_cursor is None:
            return counts
        after = page.next_cursor


def print_depths(run: Run) -> None:
    """Print the queue's depth over time, one line per five seconds, on stderr."""
    if not run.depths:
        return
    start = run.depths[0][0]
    buckets: dict[int, int] = {}
    for at, depth in run.depths:
        bucket = int((at - start) // 5)
        buckets[bucket] = max(buckets.get(bucket, 0), depth)
    log("queue depth, the most in each 5 s: " + " ".join(str(buckets[b]) for b in sorted(buckets)))


def percentile(values: list[float], q: int) -> float | None:
    """Return the q-th percentile (nearest rank) rounded to a tenth, or None with no values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))], 1)


def post_reads(url: str, tokens: list[str], batches: int) -> dict[str, Any]:
    """POST batches of 500 new reads in our JSON from the devices at once; return the reads
    stored per second over the whole run, and the spread of single batches."""
    clients = len(tokens)
    now = datetime.now(UTC)
    rates: list[float] = []

    def push(client: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[client]}"}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            for b in range(client, batches, clients):
                body = {
                    "reads": [
                        {
                            "read_id": f"bench-{clients}-{b}-{n}",
                            "plate": f"{'ABCDEFGH'[clients]}{b:03d}{n:03d}",
                            "captured_at": (now - timedelta(seconds=n)).isoformat(),
                            "confidence": 0.9,
                            "latitude": PLACE[0],
                            "longitude": PLACE[1],
                        }
                        for n in range(READS_BATCH)
                    ]
                }
                started = time.perf_counter()
                answer = http.post("/api/v1/reads", json=body)
                elapsed = time.perf_counter() - started
                if answer.status_code != 201 or answer.json()["stored"] != READS_BATCH:
                    sys.exit(f"reads refused: {answer.status_code} {answer.text[:500]}")
                rates.append(READS_BATCH / elapsed)

    threads = [threading.Thread(target=push, args=(c,)) for c in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = batches * READS_BATCH / (time.perf_counter() - started)
    log(f"POST /reads from {clients} devices at once: {rate:.0f} reads/s")
    return {
        "batch": READS_BATCH,
        "clients": clients,
        "reads_per_s": round(rate, 1),
        "runs": batches,
        "spread": [round(min(rates), 1), round(max(rates), 1)],
    }


if __name__ == "__main__":
    main()
