"""The learning-rate schedule the training scripts share."""

from __future__ import annotations

import torch

WARM_UP = 0.05


def one_cycle(
    opt: torch.optim.Optimizer, lr: float, steps: int
) -> torch.optim.lr_scheduler.OneCycleLR:
    """Give a one-cycle schedule to lr over steps, warming up over WARM_UP of them (at least two
    steps, so that a short smoke run does not divide by a warm-up of none)."""
    if steps < 3:
        raise SystemExit(f"--steps {steps}: a run needs at least 3 steps")
    return torch.optim.lr_scheduler.OneCycleLR(
        opt, lr, total_steps=steps, pct_start=max(WARM_UP, 2 / steps)
    )
