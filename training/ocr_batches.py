"""Training batches for the plate OCR: synthetic crops and real train-split crops, degraded.

A batch is drawn in the training process (`--workers 0`, the recipe of every committed model) or
in worker processes that feed a GPU (training/worker_batches.py): each worker has its own seeded
generator and, with `--render`, its own plate renderer, so that synthetic crops are new at every
step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from platewarden.vision.ocr import STATES, prepare
from training.char_slices import Sliced, new_plate
from training.samples import RealItem, load_backgrounds, parking_lot, real_sample, synth_sample
from training.synth import PlateRenderer

Batch = tuple[np.ndarray, list[str], list[int]]


def state_label(state: str | None) -> int:
    """Give the state class of a real item: its state, 0 for non-US ("") and -1 when unknown."""
    return STATES.index(state) if state is not None and state in STATES else -1


def _small(crop: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """Give crop degraded as a parking-lot camera gives it, with chance share; else as it is."""
    return parking_lot(crop, rng) if share and rng.random() < share else crop


class Prerendered:
    """Synthetic crops rendered beforehand (training.make_synth), drawn with replacement."""

    def __init__(self, paths: list[Path]) -> None:
        packs = [np.load(p) for p in paths]
        self.images = np.concatenate([p["images"] for p in packs])
        self.texts = np.concatenate([p["texts"] for p in packs])

    def __len__(self) -> int:
        return len(self.images)

    def draw(self, rng: np.random.Generator, n: int) -> list[tuple[np.ndarray, str]]:
        """Draw n crops and their texts."""
        idx = rng.integers(len(self.images), size=n)
        return [(self.images[i], str(self.texts[i])) for i in idx]


class Rendered:
    """Synthetic crops rendered as they are drawn, each one new (needs the fonts installed)."""

    def __init__(self, backgrounds: Path, seed: int) -> None:
        self.folder, self.seed = backgrounds, seed
        self.renderer: PlateRenderer | None = None
        self.backgrounds: list[np.ndarray] = []

    def start(self, worker: int) -> None:
        """Make this process's renderer, seeded by the worker's number."""
        self.renderer = PlateRenderer(self.seed * 1000 + worker)
        self.backgrounds = load_backgrounds(self.folder)

    def draw(self, rng: np.random.Generator, n: int) -> list[tuple[np.ndarray, str]]:
        """Render n crops and their texts."""
        if self.renderer is None:
            self.start(0)
        return [synth_sample(self.renderer, self.backgrounds, rng) for _ in range(n)]


@dataclass
class BatchMaker:
    """Draw one training batch: synthetic crops, then real ones (a share real_fraction of the
    batch after the first 15% of steps, a tenth before), each degraded as the options say."""

    synth: Prerendered | Rendered
    real: list[RealItem]
    weights: np.ndarray | None
    batch: int
    steps: int
    real_fraction: float
    heavy: bool = False
    small: float = 0.0
    shuffle: float = 0.0
    sliced: dict[int, Sliced] = field(default_factory=dict)

    def __call__(self, step: int, rng: np.random.Generator) -> Batch:
        """Give the batch of step: inputs (N x 1 x 32 x 128), texts and state labels."""
        n_real = int(self.batch * (self.real_fraction if step > self.steps * 0.15 else 0.1))
        drawn_synth = self.synth.draw(rng, self.batch - n_real)
        xs = [prepare(_small(crop, rng, self.small)) for crop, _ in drawn_synth]
        texts = [text for _, text in drawn_synth]
        states = [-1] * len(xs)
        drawn = (
            rng.choice(len(self.real), size=n_real, p=self.weights)
            if self.weights is not None
            else rng.integers(len(self.real), size=n_real)
        )
        for j in drawn:
            it = self.real[j]
            if j in self.sliced and rng.random() < self.shuffle:
                it = new_plate(self.sliced[j], rng)
            xs.append(prepare(real_sample(it, rng, self.heavy, self.small)))
            texts.append(it.text)
            states.append(state_label(it.state))
        return np.stack(xs), texts, states
