"""Labelled plate folders (truth.jsonl) and the fixed, seeded held-out split."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

HELDOUT_PERCENT = 30
SPLIT_SALT = "platewarden-heldout-v1"


@dataclass(frozen=True)
class Truth:
    """One labelled image: the plate text and, for end-to-end photos, its box."""

    image: Path
    plate: str
    box: tuple[int, int, int, int] | None
    state: str | None


def heldout_names(names: list[str]) -> set[str]:
    """Pick the held-out names (never trained on): the first 30% by a salted hash order."""
    order = sorted(names, key=lambda n: hashlib.sha256(f"{SPLIT_SALT}/{n}".encode()).hexdigest())
    return set(order[: round(len(order) * HELDOUT_PERCENT / 100)])


def split_key(row: dict) -> str:
    """Give the key a row is split by: its plate in a set of several crops of each plate (rows
    with a source_image or a track), so that a plate is never in both splits; else its image."""
    if "source_image" in row or "track" in row:
        return str(row["plate"]).upper()
    return str(row["image"])


def load_truth(folder: Path, split: str = "all") -> list[Truth]:
    """Read folder/truth.jsonl, keeping the rows of split: all, heldout or train."""
    if split not in ("all", "heldout", "train"):
        raise ValueError(f"unknown split {split!r}: use all, heldout or train")
    with (folder / "truth.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    held = heldout_names(sorted({split_key(row) for row in rows}))
    out = []
    for row in rows:
        if (split == "heldout" and split_key(row) not in held) or (
            split == "train" and split_key(row) in held
        ):
            continue
        box = None
        if row.get("box"):
            x, y, w, h = (int(v) for v in row["box"])
            box = (x, y, w, h)
        out.append(Truth(folder / row["image"], row["plate"].upper(), box, row.get("state")))
    return out
