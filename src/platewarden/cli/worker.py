"""`platewarden worker`: a recognition worker beside the server, on this or another machine."""

import threading
from typing import Annotated

import typer

from platewarden.cli.context import console, opened_runtime
from platewarden.cli.vision import load_recognizer
from platewarden.jobs.worker import BATCH, WORKER_THREADS, run_worker
from platewarden.logs import configure_logging


def worker(
    batch: Annotated[int, typer.Option(min=1, max=64, help="Frames taken at a time.")] = BATCH,
) -> None:
    """Read queued camera frames and store their reads (the installation's service account)."""
    configure_logging()
    reader = load_recognizer(None, threads=WORKER_THREADS)
    with opened_runtime() as rt:
        console.print("worker reading frames (Ctrl-C stops)")
        try:
            run_worker(rt, reader, stop=threading.Event(), batch=batch)
        except KeyboardInterrupt:
            console.print("stopped")
