"""Pre-render synthetic OCR crops into training/work/synth_ocr_<seed>.npz."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from training.samples import load_backgrounds, synth_sample
from training.synth import PlateRenderer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    """Render --n crops with --seed and save them with their texts."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=40000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=Path("training/work"))
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    renderer = PlateRenderer(args.seed)
    bgs = load_backgrounds(args.data / "backgrounds")
    images = np.zeros((args.n, 32, 128), np.uint8)
    texts = []
    t0 = time.time()
    for i in range(args.n):
        images[i], text = synth_sample(renderer, bgs, rng)
        texts.append(text)
        if i % 5000 == 0:
            print(f"{i}/{args.n} {time.time() - t0:.0f}s", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / f"synth_ocr_{args.seed}.npz", images=images, texts=np.array(texts)
    )


if __name__ == "__main__":
    main()
