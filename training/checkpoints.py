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
    ema: nn.Module | None = None,
) -> None:
    """Write the model (and its running average), optimiser, schedule, step and random state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "model": model.state_dict(),
        "ema": ema.state_dict() if ema is not None else None,
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
    ema: nn.Module | None = None,
) -> tuple[int, np.random.Generator]:
    """Load a checkpoint when there is one; return the step to start at and the random state."""
    if not path.exists():
        return 0, rng
    state = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"])
    if ema is not None and state.get("ema") is not None:
        ema.load_state_dict(state["ema"])
    opt.load_state_dict(state["opt"])
    sched.load_state_dict(state["sched"])
    print(f"resumed at step {state['step']}", flush=True)
    return state["step"], state["rng"]
