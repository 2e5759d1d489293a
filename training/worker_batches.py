"""Training batches made by worker processes, so that a GPU is not kept waiting for them."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from typing import Any

import cv2
import numpy as np
from torch.utils.data import DataLoader, IterableDataset, default_convert, get_worker_info


class StepBatches(IterableDataset):
    """The batches of steps start.. steps - 1, each made by make(step, rng).

    Worker k of n makes steps start + k, start + k + n, ..., which a DataLoader hands out in step
    order. Each worker has its own generator, seeded by (seed, k, start), and first calls
    setup(k) (to make a plate renderer of its own, say); a run is reproducible with as many
    workers. The training process calls `one_opencv_thread` before its first OpenCV call.
    """

    def __init__(
        self,
        make: Callable[[int, np.random.Generator], Any],
        steps: int,
        seed: int,
        start: int,
        setup: Callable[[int], None] | None = None,
    ) -> None:
        self.make, self.steps, self.seed, self.start, self.setup = make, steps, seed, start, setup

    def __iter__(self) -> Iterator[Any]:
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info else (0, 1)
        if self.setup is not None:
            self.setup(worker)
        rng = np.random.default_rng([self.seed, worker, self.start])
        for step in range(self.start + worker, self.steps, workers):
            yield self.make(step, rng)


def one_opencv_thread() -> None:
    """Keep OpenCV to one thread in this process and the workers forked from it (one process per
    core already). It must come before OpenCV's first parallel call: a forked worker that changes
    the thread count of a pool its parent started hangs."""
    cv2.setNumThreads(1)


def add_worker_options(ap: argparse.ArgumentParser) -> None:
    """Add --device and --workers, the options step_batches reads."""
    ap.add_argument("--device", default="cpu", help="the torch device to train on (cuda)")
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes that make the batches (0: this one, the committed models' recipe)",
    )


def step_batches(
    make: Callable[[int, np.random.Generator], Any],
    args: argparse.Namespace,
    start: int,
    rng: np.random.Generator,
    setup: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Give (step, batch) for steps start.. args.steps - 1, numpy arrays as tensors: each batch
    made here with rng (--workers 0, the committed models' recipe) or by --workers processes
    (StepBatches, seeded by --seed; rng is then unused), their memory pinned for a GPU."""
    if not args.workers:
        for step in range(start, args.steps):
            yield step, default_convert(make(step, rng))
        return
    batches = StepBatches(make, args.steps, args.seed, start, setup)
    loader = DataLoader(
        batches,
        batch_size=None,
        num_workers=args.workers,
        prefetch_factor=4,
        pin_memory=args.device != "cpu",
    )
    yield from enumerate(loader, start)
