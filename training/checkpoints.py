"""Save and resume a training run, so that a stopped session loses little."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn


def save(
    path: Path,
    *,
    model: nn.Module,
    opt: torch.optim.Optimizer,
    sched: Any,
    step: int,
    rng: np.random.Generator,
) -> None:
    """Write the model, optimiser, schedule, step and random state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "model": model.state_dict(),
        "opt": opt.state_dict(),
        "sched": sched.state_dict(),
        "step": step,
        "rng": rng,
    }
    torch.save(state, path)


def resume(
    path: Path,
    *,
    model: nn.Module,
    opt: torch.optim.Optimizer,
    sched: Any,
    rng: np.random.Generator,
) -> tuple[int, np.random.Generator]:
    """Load a checkpoint when there is one; return the step to start at and the random state."""
    if not path.exists():
        return 0, rng
    state = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    sched.load_state_dict(state["sched"])
    print(f"resumed at step {state['step']}", flush=True)
    return state["step"], state["rng"]
