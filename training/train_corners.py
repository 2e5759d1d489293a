"""Train the plate-corner model on tilted synthetic plates and real train-split boxes; export ONNX.

Synthetic plates teach the corners themselves. Real plates have only an upright labelled box, so
they teach where the corners' bounding box lies: the real look of plate edges on cars.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from platewarden.vision.corners import CORNER_H, CORNER_MARGIN, CORNER_W, corners_input
from platewarden.vision.ocr import crop_rect
from training import checkpoints
from training.nets import CornerNet
from training.onnx_export import export_onnx
from training.samples import (
    RealItem,
    bounds,
    jitter_box,
    load_backgrounds,
    load_real_items,
    paste_on_scene,
)
from training.schedules import one_cycle
from training.synth import PlateRenderer, degrade

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORK = Path("training/work")
MODEL_OUT = Path("src/platewarden/vision/models/corners.onnx")
# How far the detector's box may be off the plate's bounds, as shares of the box's size.
BOX_ERROR = (-0.08, 0.08)
PHOTO_SETS = ("us", "eu", "br")


def tilt(gray: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Warp a plate as a camera sees it: turned, seen from the side, from above; with its corners.

    Return the warped plate and its mask stacked (h x w x 2) and the corners (4 x 2).
    """
    h, w = gray.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    near = rng.uniform(0.7, 1.0)  # the far side of a plate seen from the side is shorter
    dst = src.copy()
    for i in (1, 2) if rng.random() < 0.5 else (0, 3):
        dst[i, 1] = h / 2 + (dst[i, 1] - h / 2) * near
    dst[:, 0] *= rng.uniform(0.75, 1.0) if near < 0.9 else 1.0
    dst[:2, 0] += rng.uniform(-0.12, 0.12) * h  # seen from above or below: top and bottom slide
    angle = np.deg2rad(rng.uniform(-18, 18))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    dst = (dst - dst.mean(axis=0)) @ rot.T
    dst += rng.uniform(-0.03, 0.03, (4, 2)) * np.float32([w, h])
    dst -= dst.min(axis=0)
    size = (int(np.ceil(dst[:, 0].max())) + 1, int(np.ceil(dst[:, 1].max())) + 1)
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(gray, m, size)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, size)
    return np.dstack([warped, mask]), dst


def fractions(points: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Express image points as fractions of box's grown crop (the model's coordinates)."""
    x0, y0, x1, y1 = crop_rect(box, CORNER_MARGIN)
    return (points - (x0, y0)) / (x1 - x0, y1 - y0)


def synth_corner_sample(
    renderer: PlateRenderer, backgrounds: list[np.ndarray], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Give a tilted plate's input crop (cut around a jittered box) and its corners (4 x 2)."""
    gray = cv2.cvtColor(renderer.render().image, cv2.COLOR_BGR2GRAY)
    warped, corners = tilt(gray, rng)
    width = float(np.exp(rng.uniform(np.log(40), np.log(300))))
    f = width / warped.shape[1]
    warped = cv2.resize(warped, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    canvas, corners = paste_on_scene(warped, corners * f, backgrounds, rng, (2.2, 1.8))
    canvas = degrade(canvas, rng)
    box = jitter_box(bounds(corners), rng, *BOX_ERROR)
    return corners_input(canvas, box)[0], fractions(corners, box)


def real_corner_sample(item: RealItem, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Give a real plate's input crop and its labelled box's corners (top left, bottom right)."""
    box = jitter_box(item.box, rng, *BOX_ERROR)
    x, y, w, h = item.box
    region = degrade(item.region, rng) if rng.random() < 0.5 else item.region
    return corners_input(region, box)[0], fractions(np.array([[x, y], [x + w, y + h]]), box)


def render_set(n: int, seed: int, backgrounds: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Render n synthetic samples with seed (cached under training/work)."""
    path = WORK / f"corners_{seed}_{n}.npz"
    if path.exists():
        data = np.load(path)
        return data["x"], data["y"]
    renderer, rng = PlateRenderer(seed), np.random.default_rng(seed)
    xs = np.zeros((n, CORNER_H, CORNER_W), np.float16)
    ys = np.zeros((n, 4, 2), np.float32)
    for i in range(n):
        xs[i], ys[i] = synth_corner_sample(renderer, backgrounds, rng)
    WORK.mkdir(parents=True, exist_ok=True)
    np.savez(path, x=xs, y=ys)
    return xs, ys


def box_loss(pred: torch.Tensor, box: torch.Tensor) -> torch.Tensor:
    """Penalise the corners' bounding box (from N x 4 x 2 corners) against box (N x 2 x 2)."""
    lo, hi = pred.amin(dim=1), pred.amax(dim=1)
    return nn.functional.smooth_l1_loss(torch.stack([lo, hi], 1), box, beta=0.02)


def report(model: nn.Module, synth: tuple, real: list[RealItem]) -> str:
    """Score corner error (shares of the plate's width) on synthetic and real held-out plates."""
    model.eval()
    rng = np.random.default_rng(0)
    with torch.no_grad():
        pred = model(torch.from_numpy(synth[0][:, None].astype(np.float32))).numpy()
        err = np.linalg.norm((pred.reshape(-1, 4, 2) - synth[1]) * (CORNER_W, CORNER_H), axis=2)
        width = np.ptp(synth[1][:, :, 0], axis=1) * CORNER_W
        share = err.max(axis=1) / width
        samples = [real_corner_sample(it, rng) for it in real]
        x = torch.from_numpy(np.stack([s[0] for s in samples])[:, None].astype(np.float32))
        quad = model(x).numpy().reshape(-1, 4, 2)
    truth = np.stack([s[1] for s in samples])
    found = np.stack([quad.min(axis=1), quad.max(axis=1)], 1)
    real_err = np.abs(found - truth).mean(axis=(1, 2))
    # The box given to the model, in its own coordinates (the same for every box).
    given = fractions(np.array([[0.0, 0.0], [100.0, 100.0]]), np.array([0.0, 0.0, 100.0, 100.0]))
    jitter_err = np.abs(given - truth).mean(axis=(1, 2))
    model.train()
    return (
        f"synthetic: worst corner median {np.median(share):.3f} of the width, "
        f"under 5% {np.mean(share < 0.05):.3f}; real bounds error {np.median(real_err):.4f} "
        f"(the box's own {np.median(jitter_err):.4f})"
    )


def export(model: nn.Module, path: Path) -> None:
    """Write the corner model as ONNX with a dynamic batch axis."""
    batch = {0: "n"}
    export_onnx(
        model, path, (1, 1, CORNER_H, CORNER_W), ["corners"], {"image": batch, "corners": batch}
    )


def main() -> None:
    """Train for --steps, checkpointing to training/work/corners.pt, then export ONNX."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--synth", type=int, default=40000, help="synthetic plates to render")
    ap.add_argument("--real-fraction", type=float, default=0.3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=MODEL_OUT)
    ap.add_argument("--ckpt", type=Path, default=WORK / "corners.pt")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    bgs = load_backgrounds(args.data / "backgrounds")
    t0 = time.time()
    s_x, s_y = render_set(args.synth, args.seed, bgs)
    held = render_set(1000, args.seed + 1, bgs)
    # The photos' boxes bound the plate; the us-crops' boxes are their whole image, margins and all.
    real = load_real_items(args.data / "plates", "train", PHOTO_SETS)
    real_held = load_real_items(args.data / "plates", "heldout", PHOTO_SETS)
    print(f"rendered {len(s_x)} in {time.time() - t0:.0f}s; real {len(real)}", flush=True)

    model = CornerNet()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = one_cycle(opt, args.lr, args.steps)
    start, rng = checkpoints.resume(args.ckpt, model=model, opt=opt, sched=sched, rng=rng)
    n_real = int(args.batch * args.real_fraction)
    for step in range(start, args.steps):
        idx = rng.integers(len(s_x), size=args.batch - n_real)
        x = torch.from_numpy(s_x[idx][:, None].astype(np.float32))
        y = torch.from_numpy(s_y[idx])
        reals = [real_corner_sample(real[j], rng) for j in rng.integers(len(real), size=n_real)]
        xr = torch.from_numpy(np.stack([r[0] for r in reals])[:, None])
        yr = torch.from_numpy(np.stack([r[1] for r in reals]).astype(np.float32))
        pred = model(torch.cat([x, xr])).view(-1, 4, 2)
        loss = nn.functional.smooth_l1_loss(pred[: len(x)], y, beta=0.02)
        loss = loss + 0.5 * box_loss(pred[len(x) :], yr)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.4f} {time.time() - t0:.0f}s", flush=True)
        if (step + 1) % 500 == 0 or step + 1 == args.steps:
            checkpoints.save(args.ckpt, model=model, opt=opt, sched=sched, step=step + 1, rng=rng)
            print(f"step {step + 1} {report(model, held, real_held)}", flush=True)
            export(model, args.out)


if __name__ == "__main__":
    main()
