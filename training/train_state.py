"""Train the US state classifier (StateNet) on colour plate crops, one model per grouped fold.

Real rows: us-crops (each labelled with its state) and, as "not US", the eu and br photos' plates
and the br-crops and cz-crops; each row sits in training/grouped_cv.py's fold (grouped by plate,
source image and track), and a model for fold K never sees a row of fold K (--fold K; --fold all
trains on every row, for the packaged model). Synthetic rows: US plates rendered with each
state's name (training/synth.py, render_state) and EU/BR plates, pre-rendered once per seed.

  python -m training.train_state --pretrain --steps 1000      # synthetic only: state_pre.pt
  python -m training.train_state --fold 0 --steps 600          # -> training/work/state_fold0.onnx
  python -m training.train_state --fold all --out src/platewarden/vision/models/state.onnx

Scoring: python -m training.state_cv (before and after, per fold).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from platewarden.vision.ocr import STATES, crop_box
from platewarden.vision.state import STATE_H, STATE_W
from training.grouped_cv import PLATES, fold_of, group_keys, load_rows
from training.nets import StateNet
from training.onnx_export import export_onnx
from training.samples import (
    bounds,
    jitter_box,
    load_backgrounds,
    parking_lot,
    plate_room,
    shrink_and_degrade,
)
from training.synth import PlateRenderer, perspective

WORK = Path("training/work")
NOT_US_SETS = ("eu", "br", "br-crops", "cz-crops")
# A batch's shares: real US crops, synthetic US plates, real non-US plates; the rest synthetic
# non-US plates.
REAL_US, SYNTH_US, REAL_OTHER = 0.5, 0.3, 0.12


@dataclass(frozen=True)
class Item:
    """A real plate (BGR, with room around its box), its class and its grouped fold."""

    region: np.ndarray
    box: np.ndarray
    label: int
    fold: int
    name: str


def load_items(root: Path, folds: int, not_us: tuple[str, ...] = NOT_US_SETS) -> list[Item]:
    """Cut every labelled US crop (its state) and plate of the not_us sets (class 0), with its
    fold."""
    rows = load_rows(root)
    items = []
    for row, group in zip(rows, group_keys(rows), strict=True):
        us = row.source == "us-crops" and row.truth.state
        if not us and row.source not in not_us:
            continue
        img = cv2.imread(str(row.truth.image), cv2.IMREAD_COLOR)
        if img is None:
            continue
        label = STATES.index(row.truth.state.lower()) if us and row.truth.state else 0
        img, box = plate_room(img, row.truth.box)
        items.append(Item(img, box, label, fold_of(group, folds), row.truth.image.name))
    return items


def finish(
    crop: np.ndarray, rng: np.random.Generator, plate_w: float, small: bool = False
) -> np.ndarray:
    """Resample to a random plate width (40-320 px) and degrade, or with small as a parking-lot
    camera gives a plate (samples.parking_lot); sometimes grey; fit the input."""
    if small:
        crop = parking_lot(crop, rng, invert=0.0)
    else:
        crop = shrink_and_degrade(crop, rng, plate_w, (40, 320), min_side=8)
    if rng.random() < 0.2:  # a grey or infrared camera
        crop = cv2.cvtColor(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    return cv2.resize(crop, (STATE_W, STATE_H), interpolation=cv2.INTER_AREA)


def real_sample(item: Item, rng: np.random.Generator, small: bool = False) -> np.ndarray:
    """Cut a real plate with a jittered box, a small turn and a width change; degrade it (with
    small, as a parking-lot camera does)."""
    region, box = item.region, item.box
    if rng.random() < 0.5:
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        m = cv2.getRotationMatrix2D((cx, cy), rng.uniform(-5, 5), 1.0)
        size = (region.shape[1], region.shape[0])
        region = cv2.warpAffine(region, m, size, borderMode=cv2.BORDER_REPLICATE)
    crop = crop_box(region, jitter_box(box, rng, -0.05, 0.1), margin=0.0)
    crop = cv2.resize(crop, None, fx=rng.uniform(0.85, 1.15), fy=1.0)
    return finish(crop, rng, box[2], small)


def synth_sample(
    renderer: PlateRenderer, backgrounds: list[np.ndarray], rng: np.random.Generator, code: str
) -> np.ndarray:
    """Render a plate (a US state's, or any EU/BR plate for code ""), paste it into a scene and
    cut it out with a jittered box."""
    plate = renderer.render_state(code) if code else renderer.render()
    while plate.style == "us" and not code:  # render() draws US plates too: not "not US" ones
        plate = renderer.render()
    warped, corners = perspective(plate.image, rng, 0.05)
    ph, pw = warped.shape[:2]
    bg = backgrounds[rng.integers(len(backgrounds))]
    ch, cw = int(ph * 1.5), int(pw * 1.3)
    scale = max(ch / bg.shape[0], cw / bg.shape[1], 1.0)
    if scale > 1.0:
        bg = cv2.resize(bg, None, fx=scale + 0.01, fy=scale + 0.01)
    y, x = int(rng.integers(0, bg.shape[0] - ch + 1)), int(rng.integers(0, bg.shape[1] - cw + 1))
    canvas = cv2.cvtColor(bg[y : y + ch, x : x + cw], cv2.COLOR_GRAY2BGR).astype(np.float32)
    ox, oy = (cw - pw) // 2, (ch - ph) // 2
    alpha = warped[..., 3:].astype(np.float32) / 255
    part = canvas[oy : oy + ph, ox : ox + pw]
    canvas[oy : oy + ph, ox : ox + pw] = part * (1 - alpha) + warped[..., :3] * alpha
    canvas = np.clip(canvas, 0, 255).astype(np.uint8)
    box = bounds(corners + np.array([ox, oy]))
    crop = crop_box(canvas, jitter_box(box, rng, -0.05, 0.1), margin=0.0)
    return finish(crop, rng, box[2])


def synth_set(seed: int, per_state: int, other: int) -> tuple[np.ndarray, np.ndarray]:
    """Render (or load from training/work) per_state plates of each state and other EU/BR ones."""
    path = WORK / f"synth_state_{seed}_{per_state}_{other}.npz"
    if path.exists():
        data = np.load(path)
        return data["images"], data["labels"]
    rng = np.random.default_rng(seed)
    renderer = PlateRenderer(seed)
    backgrounds = load_backgrounds(PLATES.parent / "backgrounds")
    codes = [c for c in STATES[1:] for _ in range(per_state)] + [""] * other
    images = np.zeros((len(codes), STATE_H, STATE_W, 3), np.uint8)
    t0 = time.time()
    for i, code in enumerate(codes):
        images[i] = synth_sample(renderer, backgrounds, rng, code)
        if i % 2000 == 0:
            print(f"synth {i}/{len(codes)} {time.time() - t0:.0f}s", flush=True)
    labels = np.array([STATES.index(c) if c else 0 for c in codes], np.int64)
    WORK.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, images=images, labels=labels)
    return images, labels


def to_tensor(images: list[np.ndarray]) -> torch.Tensor:
    """Normalise crops as platewarden.vision.state.state_input does, into N x 3 x H x W."""
    x = np.stack(images).astype(np.float32)
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    std = x.std(axis=(1, 2, 3), keepdims=True)
    return torch.from_numpy(((x - mean) / (std + 8.0)).transpose(0, 3, 1, 2).copy())


def main() -> None:
    """Train one model (synthetic pre-training, one fold's, or all rows') and export it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fold", default="all", help="the fold left out (0..folds-1) or all")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--pretrain", action="store_true", help="synthetic plates only")
    ap.add_argument("--init", type=Path, default=WORK / "state_pre.pt")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=41)
    ap.add_argument("--synth-seed", type=int, default=40)
    ap.add_argument("--per-state", type=int, default=160)
    ap.add_argument("--real-us", type=float, default=REAL_US, help="real US crops' share")
    ap.add_argument(
        "--small",
        type=float,
        default=0.0,
        help="the share of real US crops degraded as a parking-lot camera gives them "
        "(samples.parking_lot: 40-90 px wide, blur, noise, JPEG quality 15-60)",
    )
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, help="the ONNX file (default training/work/...)")
    ap.add_argument(
        "--not-us",
        nargs="*",
        default=list(NOT_US_SETS),
        help='the real sets whose plates are the "not US" class',
    )
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    name = "state_pre" if args.pretrain else f"state_fold{args.fold}"
    out = args.out or WORK / f"{name}.onnx"

    synth_x, synth_y = synth_set(args.synth_seed, args.per_state, 50 * args.per_state // 5)
    synth_us = np.flatnonzero(synth_y > 0)
    synth_other = np.flatnonzero(synth_y == 0)
    items = [] if args.pretrain else load_items(PLATES, args.folds, tuple(args.not_us))
    train = [it for it in items if args.fold == "all" or it.fold != int(args.fold)]
    us = [it for it in train if it.label > 0]
    other = [it for it in train if it.label == 0]
    print(f"{name}: {len(us)} US and {len(other)} other real rows", flush=True)

    model = StateNet()
    if not args.pretrain and args.init.exists():
        model.load_state_dict(torch.load(args.init, weights_only=True))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=args.steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    t0 = time.time()
    for step in range(1, args.steps + 1):
        images, labels = [], []
        for _ in range(args.batch):
            u = rng.random() if us else 1.0
            if u < args.real_us:
                it = us[rng.integers(len(us))]
                small = bool(args.small) and rng.random() < args.small
                images.append(real_sample(it, rng, small))
                labels.append(it.label)
            elif u < args.real_us + REAL_OTHER and other:
                it = other[rng.integers(len(other))]
                images.append(real_sample(it, rng))
                labels.append(0)
            else:
                share_us = SYNTH_US / (1 - REAL_US - REAL_OTHER) if us else 0.8
                pool = synth_us if rng.random() < share_us else synth_other
                k = int(pool[rng.integers(len(pool))])
                images.append(synth_x[k])
                labels.append(int(synth_y[k]))
        model.train()
        logits = model(to_tensor(images))
        target = torch.tensor(labels)
        loss = loss_fn(logits, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0 or step == args.steps:
            acc = (logits.argmax(1) == target).float().mean().item()
            print(
                json.dumps(
                    {"step": step, "loss": round(loss.item(), 3), "batch_acc": round(acc, 3)}
                )
                + f" {time.time() - t0:.0f}s",
                flush=True,
            )
    WORK.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), WORK / f"{name}.pt")
    export_onnx(model, out, (1, 3, STATE_H, STATE_W), ["state"], {"image": {0: "n"}})
    print(f"wrote {out}", flush=True)


if __name__ == "__main__":
    main()
