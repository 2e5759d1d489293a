"""Faults: an ingest killed mid-batch, and purge running while ingest runs."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from platewarden.services import purge
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime, open_runtime
from platewarden.store.engine import make_engine
from platewarden.store.reads import find_reads
from platewarden.store.schema import reads
from tests.factories import CAMERA_FEED, CUSTODIAN, new_read
from tests.functional.conftest import Run
from tests.functional.test_cli import reads_file

TOTAL = 3000


def count_reads(database_url: str) -> int:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(reads)) or 0
    engine.dispose()
    return count


def test_ingest_killed_mid_batch_then_resent_stores_everything_once(
    run: Run, cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = reads_file(tmp_path, TOTAL, images=True)
    command = [sys.executable, "-m", "platewarden", "ingest", str(path), "--source", "patrol"]
    env = {**os.environ, **cli_env}
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL) as process:
        deadline = time.monotonic() + 120
        while count_reads(cli_env["PLATEWARDEN_DATABASE_URL"]) == 0:
            assert process.poll() is None, "the ingest ended before it could be killed"
            assert time.monotonic() < deadline, "the ingest stored nothing in 120 s"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    interrupted = count_reads(cli_env["PLATEWARDEN_DATABASE_URL"])
    assert 0 < interrupted < TOTAL, "the kill must land between the first and the last batch"

    again = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert (
        f"{TOTAL} rows: {TOTAL - interrupted} stored, {interrupted} already stored" in again.stdout
    )

    settings_url = cli_env["PLATEWARDEN_DATABASE_URL"]
    assert count_reads(settings_url) == TOTAL
    blob_files = [
        p
        for p in (Path(cli_env["PLATEWARDEN_DATA_DIR"]) / "blobs").rglob("*")
        if p.is_file() and not p.name.endswith(".tmp")
    ]
    assert len(blob_files) == TOTAL  # every image once: re-sent images found by their hash


def test_purge_while_ingesting_loses_nothing_that_was_not_due(runtime: Runtime, clock) -> None:
    old = [new_read(f"OLD{n}") for n in range(600)]
    for start in range(0, len(old), 200):
        ingest_reads(runtime, CAMERA_FEED, old[start : start + 200])
    clock.advance(days=91)
    new = [new_read(f"NEW{n}", captured_at=clock.now()) for n in range(600)]
    writer = open_runtime(runtime.settings, clock=clock)  # a second process's connections
    failures: list[BaseException] = []

    def ingest_new() -> None:
        try:
            for start in range(0, len(new), 50):
                ingest_reads(writer, CAMERA_FEED, new[start : start + 50])
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)

    thread = threading.Thread(target=ingest_new)
    thread.start()
    run = purge.purge(runtime, CUSTODIAN, batch_size=50)
    thread.join()
    writer.close()
    assert failures == []
    assert run.reads_purged == 600
    with runtime.engine.connect() as conn:
        left = [r.plate for r in find_reads(conn)]
    assert sorted(left) == sorted(f"NEW{n}" for n in range(600))
