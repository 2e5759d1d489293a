"""Recognition workers: take frames from the queue, read them, store their reads.

Workers act as the installation, so a process runs them only with its service key. On
PostgreSQL any number of them, on any machines sharing the database and the image folder, take
different frames; `platewarden serve` runs one itself.
"""

import logging
import threading

from platewarden.jobs.registry import service_actor
from platewarden.services.capture import PlateReader
from platewarden.services.frames import read_frames, take_frames
from platewarden.services.runtime import Runtime

log = logging.getLogger("platewarden.worker")

# The models' threads per frame. A worker reads one frame at a time beside the API and other
# workers: with one thread each, no thread spins waiting for a core another process holds (on
# a busy 2-core machine two threads cost twice the CPU of one for the same frame). More
# throughput comes from more workers.
WORKER_THREADS = 1
# Frames leased at a time. Each is stored as soon as it is read, so a larger lease only keeps
# frames from idle workers, and a worker that dies strands them until the lease runs out.
BATCH = 2


def run_worker(
    rt: Runtime,
    reader: PlateReader,
    *,
    stop: threading.Event,
    batch: int = BATCH,
    idle_s: float = 0.05,
) -> None:
    """Read queued frames until stopped; a frame that fails stays queued for another try."""
    actor = service_actor(rt)
    while not stop.is_set():
        taken = take_frames(rt, actor, limit=batch)
        if not taken:
            stop.wait(idle_s)
            continue
        try:
            stored = read_frames(rt, actor, reader, taken)
        except Exception:  # its lease runs out and another worker (or this one) tries again
            log.exception("frames %s not read", [f.id for f in taken])
            stop.wait(idle_s)
            continue
        log.info("read %d frames, stored %d reads", len(taken), stored)
