"""Train the plate detector on synthetic scenes and real train-split photos; export ONNX.

--es-fraction adds the train split of detection/es (every plate boxed) as real windows; --hard
adds small plates (7-20 px tall, or --small-heights), turns up to 30 degrees, night and
infrared looks and motion blur (training/detector_augment.py); --negative-fraction adds
plate-free scenes. Plates under 4 px tall are ignored by the loss. --device cuda with
--workers N trains on a GPU, the batches made by N processes (training/worker_batches.py).
--teacher keeps a checkpoint's boxes as the targets for the plates it finds.
"""

from __future__ import annotations

import argparse
import copy
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from platewarden.vision.dataset import load_truth
from platewarden.vision.detector import MAX_SIDE, STRIDE, THRESHOLD, decode, iou, to_input
from training import checkpoints
from training.detection_sets import load_boxed
from training.detector_augment import (
    SMALL_HEIGHTS,
    SMALLEST,
    motion_blur,
    night_look,
    small_plate_scale,
    squeeze,
    turn,
)
from training.nets import Detector
from training.onnx_export import export_onnx
from training.samples import load_backgrounds
from training.schedules import one_cycle
from training.synth import PlateRenderer, degrade, perspective
from training.worker_batches import add_worker_options, one_opencv_thread, step_batches

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORK = Path("training/work")
MODEL_OUT = Path("src/platewarden/vision/models/detector.onnx")
CROP = 320
PHOTO_SETS = ("us", "eu", "br")


def load_photos(root: Path, split: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Load the labelled photos as grayscale at the detector's scale, with their boxes."""
    out = []
    for name in PHOTO_SETS:
        for t in load_truth(root / name, split):
            img = cv2.imread(str(t.image), cv2.IMREAD_GRAYSCALE)
            if img is None or t.box is None:
                continue
            scale = min(1.0, MAX_SIDE / max(img.shape))
            img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            out.append((img, np.array([t.box], float) * scale))
    return out


def load_es(folder: Path, split: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Load a detection folder's photos (every plate boxed) as grayscale, with their boxes."""
    return [
        (cv2.cvtColor(item.image, cv2.COLOR_BGR2GRAY), item.boxes)
        for item in load_boxed(folder, split)
    ]


def synth_scene(renderer: PlateRenderer, bgs: list[np.ndarray], rng: np.random.Generator) -> tuple:
    """Paste one to three warped plates into a plate-free scene."""
    bg = bgs[rng.integers(len(bgs))]
    s = max(CROP / min(bg.shape), rng.uniform(0.6, 1.3))
    img = cv2.resize(bg, None, fx=s, fy=s).astype(np.float32)
    boxes = []
    for _ in range(int(rng.integers(1, 4))):
        plate = cv2.cvtColor(renderer.render().image, cv2.COLOR_BGR2GRAY)
        warped, corners = perspective(plate, rng, 0.08)
        target_w = float(np.exp(rng.uniform(np.log(22), np.log(260))))
        f = target_w / plate.shape[1]
        warped = cv2.resize(warped, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        corners = corners * f
        ph, pw = warped.shape[:2]
        if ph >= img.shape[0] or pw >= img.shape[1]:
            continue
        y, x = int(rng.integers(0, img.shape[0] - ph)), int(rng.integers(0, img.shape[1] - pw))
        a = warped[..., 1].astype(np.float32) / 255
        region = img[y : y + ph, x : x + pw]
        img[y : y + ph, x : x + pw] = region * (1 - a) + warped[..., 0] * a
        xs, ys = corners[:, 0] + x, corners[:, 1] + y
        box = np.array([xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()])
        if all(iou(box, b) < 0.05 for b in boxes):
            boxes.append(box)
    return degrade(np.clip(img, 0, 255).astype(np.uint8), rng), np.array(boxes).reshape(-1, 4)


def random_crop(
    img: np.ndarray, boxes: np.ndarray, rng: np.random.Generator, scale: float | None = None
) -> tuple:
    """Rescale (by scale, or a little at random) and cut a CROP x CROP window, usually around a
    plate."""
    s = rng.uniform(0.7, 1.35) if scale is None else scale
    img = cv2.resize(
        img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    )
    boxes = boxes * s
    if img.shape[0] < CROP or img.shape[1] < CROP:
        img = cv2.copyMakeBorder(
            img,
            0,
            max(0, CROP - img.shape[0]),
            0,
            max(0, CROP - img.shape[1]),
            cv2.BORDER_CONSTANT,
            value=int(rng.integers(0, 255)),
        )
    h, w = img.shape
    if len(boxes) and rng.random() < 0.85:
        bx, by, bw, bh = boxes[rng.integers(len(boxes))]
        lo_x, lo_y = sorted((bx + bw - CROP, bx)), sorted((by + bh - CROP, by))
        x0 = int(np.clip(rng.uniform(*lo_x), 0, w - CROP))
        y0 = int(np.clip(rng.uniform(*lo_y), 0, h - CROP))
    else:
        x0, y0 = int(rng.integers(0, w - CROP + 1)), int(rng.integers(0, h - CROP + 1))
    crop = img[y0 : y0 + CROP, x0 : x0 + CROP]
    moved = boxes - np.array([x0, y0, 0, 0])
    cx, cy = moved[:, 0] + moved[:, 2] / 2, moved[:, 1] + moved[:, 3] / 2
    keep = (cx > 0) & (cy > 0) & (cx < CROP) & (cy < CROP)
    return crop, moved[keep]


def targets(boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Build the heatmap, the regression map (log w, log h, dx, dy), its mask, and the heatmap's
    weight (0 around plates too small to teach, 1 elsewhere)."""
    g = CROP // STRIDE
    heat = np.zeros((g, g), np.float32)
    reg = np.zeros((4, g, g), np.float32)
    mask = np.zeros((g, g), np.float32)
    weight = np.ones((g, g), np.float32)
    yy, xx = np.mgrid[0:g, 0:g].astype(np.float32)
    for x, y, w, h in boxes:
        if h < SMALLEST:
            x0, y0 = int(np.floor(x / STRIDE)) - 1, int(np.floor(y / STRIDE)) - 1
            x1, y1 = int(np.ceil((x + w) / STRIDE)) + 1, int(np.ceil((y + h) / STRIDE)) + 1
            weight[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = 0.0
            continue
        cx, cy = (x + w / 2) / STRIDE, (y + h / 2) / STRIDE
        sx, sy = max(w / STRIDE / 6, 0.7), max(h / STRIDE / 6, 0.7)
        heat = np.maximum(
            heat, np.exp(-((xx - cx) ** 2 / (2 * sx**2) + (yy - cy) ** 2 / (2 * sy**2)))
        )
        ix, iy = int(cx), int(cy)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                jx, jy = ix + dx, iy + dy
                if 0 <= jx < g and 0 <= jy < g:
                    reg[:, jy, jx] = (np.log(w / STRIDE), np.log(h / STRIDE), cx - jx, cy - jy)
                    mask[jy, jx] = 1.0 if dx == dy == 0 else 0.3
        if 0 <= ix < g and 0 <= iy < g:
            heat[iy, ix] = 1.0
    return heat, reg, mask, weight


def keep_teacher_boxes(
    teacher: nn.Module, x: torch.Tensor, reg: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Give the regression targets with the teacher's own boxes where it finds the plate (its
    heat THRESHOLD or more at a labelled centre's cells), the labels' elsewhere: a plate the
    teacher already finds keeps the box the OCR and the corner model were trained on."""
    with torch.no_grad():
        out = teacher(x)
    known = ((out[:, 0].sigmoid() >= THRESHOLD) & (mask > 0)).unsqueeze(1)
    return torch.where(known, out[:, 1:], reg)


def focal(logit: torch.Tensor, heat: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Compute CenterNet's penalty-reduced focal loss, weighted per cell."""
    p = logit.sigmoid().clamp(1e-4, 1 - 1e-4)
    pos = heat.eq(1).float()
    pos_loss = -((1 - p) ** 2 * p.log() * pos).sum()
    neg_loss = -((1 - heat) ** 4 * p**2 * (1 - p).log() * (1 - pos) * weight).sum()
    return (pos_loss + neg_loss) / pos.sum().clamp(min=1)


def recall(model: Detector, photos: list, device: torch.device) -> float:
    """Measure detection recall (IoU > 0.4 with a labelled plate) on whole photos, one pass."""
    model.eval()
    hits = plates = 0
    with torch.no_grad():
        for img, boxes in photos:
            x, scale = to_input(img)
            found = decode(model(torch.from_numpy(x).to(device))[0].cpu().numpy(), scale)
            hits += sum(any(iou(d.box, box) > 0.4 for d in found) for box in boxes)
            plates += len(boxes)
    model.train()
    return hits / max(plates, 1)


def export(model: Detector, path: Path) -> None:
    """Write the detector as ONNX with dynamic batch, height and width (from a copy on the
    CPU)."""
    export_onnx(
        copy.deepcopy(model).cpu(),
        path,
        (1, 1, 384, 640),
        ["maps"],
        {"image": {0: "n", 2: "h", 3: "w"}, "maps": {0: "n", 2: "gh", 3: "gw"}},
    )


def window(
    args: argparse.Namespace,
    rng: np.random.Generator,
    *,
    photos: list,
    es: list,
    renderer: PlateRenderer,
    bgs: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Make one training window and its boxes: es, us/eu/br, a plate-free scene or synthetic,
    augmented."""
    pick = rng.random()
    from_es = pick < args.es_fraction
    if from_es:
        img, boxes = es[rng.integers(len(es))]
        img = degrade(img, rng) if rng.random() < 0.3 else img
    elif pick < args.es_fraction + args.real_fraction:
        img, boxes = photos[rng.integers(len(photos))]
        img = degrade(img, rng) if rng.random() < 0.5 else img
    elif pick < args.es_fraction + args.real_fraction + args.negative_fraction:
        img, boxes = degrade(bgs[rng.integers(len(bgs))], rng), np.zeros((0, 4))
    else:
        img, boxes = synth_scene(renderer, bgs, rng)
    # Without --narrow no number is drawn, so the older recipes' seeded windows stay as they were.
    if args.narrow and rng.random() < args.narrow:
        img, boxes = squeeze(img, boxes, rng)
    scale = None
    if args.hard and rng.random() < 0.35:
        scale = small_plate_scale(boxes, rng, tuple(args.small_heights))
    elif from_es:  # the photos were shrunk to 320x240; a dashcam frame shows them 1.5 times
        scale = float(np.exp(rng.uniform(0, np.log(2))))
    crop, boxes = random_crop(img, boxes, rng, scale)
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
        boxes = boxes.copy()
        boxes[:, 0] = CROP - boxes[:, 0] - boxes[:, 2]
    if args.hard:
        if rng.random() < 0.3:
            crop, boxes = turn(np.ascontiguousarray(crop), boxes, rng)
        if rng.random() < 0.25:
            crop = night_look(np.ascontiguousarray(crop), boxes, rng)
        if rng.random() < 0.25:
            crop = motion_blur(np.ascontiguousarray(crop), rng)
    if rng.random() < 0.1:
        crop = 255 - crop
    return crop, boxes


@dataclass
class WindowBatches:
    """Make a training batch of windows and their targets (heat, regression, mask, weight)."""

    args: argparse.Namespace
    photos: list
    es: list
    bgs: list[np.ndarray]
    renderer: PlateRenderer

    def setup(self, worker: int) -> None:
        """Give a worker process a renderer of its own, seeded by its number."""
        self.renderer = PlateRenderer(self.args.seed * 1000 + worker)

    def __call__(self, step: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """Give the batch of step: inputs (N x 1 x 320 x 320) and the four target maps."""
        xs, heats, regs, masks, weights = [], [], [], [], []
        for _ in range(self.args.batch):
            crop, boxes = window(
                self.args, rng, photos=self.photos, es=self.es, renderer=self.renderer, bgs=self.bgs
            )
            h, r, m, w = targets(boxes)
            xs.append((np.ascontiguousarray(crop, np.float32)[None] - 128.0) / 64.0)
            heats.append(h)
            regs.append(r)
            masks.append(m)
            weights.append(w)
        return tuple(np.stack(v) for v in (xs, heats, regs, masks, weights))


def main() -> None:
    """Train for --steps, checkpointing to training/work/detector.pt, then export ONNX."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--real-fraction", type=float, default=0.5, help="us, eu and br photos")
    ap.add_argument("--es-fraction", type=float, default=0.0, help="detection/es photos")
    ap.add_argument("--hard", action="store_true", help="small, turned, night, blurred plates")
    ap.add_argument(
        "--small-heights",
        type=float,
        nargs=2,
        default=SMALL_HEIGHTS,
        metavar=("LOW", "HIGH"),
        help="--hard's small plates, px tall at the detector's input",
    )
    ap.add_argument(
        "--negative-fraction", type=float, default=0.0, help="plate-free scenes (backgrounds)"
    )
    ap.add_argument(
        "--narrow",
        type=float,
        default=0.0,
        help="the share of windows made narrower, as a car seen from the side (squeeze)",
    )
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=MODEL_OUT)
    ap.add_argument("--init", type=Path, help="start from this checkpoint's weights (fine-tuning)")
    ap.add_argument(
        "--ckpt", type=Path, default=WORK / "detector.pt", help="checkpoint to save and resume"
    )
    ap.add_argument(
        "--teacher",
        type=Path,
        help="a checkpoint whose boxes are kept for the plates it finds (keep_teacher_boxes)",
    )
    add_worker_options(ap)
    args = ap.parse_args()
    if not 0 <= args.narrow <= 1:
        ap.error(f"--narrow {args.narrow:g}: give a share from 0 to 1")
    low, high = args.small_heights
    if not 0 < low <= high:
        ap.error(f"--small-heights {low:g} {high:g}: give 0 < LOW <= HIGH")
    for name in ("init", "teacher"):
        path = getattr(args, name)
        if path is not None and not path.is_file():
            ap.error(f"--{name} {path}: no such checkpoint")
    if args.workers:
        one_opencv_thread()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    renderer = PlateRenderer(args.seed)
    bgs = load_backgrounds(args.data / "backgrounds")
    photos = load_photos(args.data / "plates", "train")
    held = load_photos(args.data / "plates", "heldout")
    es = load_es(args.data / "detection" / "es", "train") if args.es_fraction else []
    es_held = load_es(args.data / "detection" / "es", "heldout") if args.es_fraction else []
    print(
        f"backgrounds {len(bgs)}, photos train {len(photos)}, held-out {len(held)}, "
        f"es train {len(es)}, held-out {len(es_held)}",
        flush=True,
    )

    model = Detector()
    if args.init:
        model.load_state_dict(torch.load(args.init, weights_only=False)["model"])
    device = torch.device(args.device)
    model.to(device)
    teacher = None
    if args.teacher:
        teacher = Detector()
        teacher.load_state_dict(torch.load(args.teacher, weights_only=False)["model"])
        teacher.to(device).eval()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = one_cycle(opt, args.lr, args.steps)
    ckpt = args.ckpt
    start, rng = checkpoints.resume(ckpt, model=model, opt=opt, sched=sched, rng=rng)
    make = WindowBatches(args, photos, es, bgs, renderer)
    t0 = time.time()
    for step, batch in step_batches(make, args, start, rng, make.setup):
        x, heat, reg, mask, weight = (v.to(device, non_blocking=True) for v in batch)
        if teacher is not None:
            reg = keep_teacher_boxes(teacher, x, reg, mask)
        out = model(x)
        loss_h = focal(out[:, 0], heat, weight)
        l1 = (out[:, 1:] - reg).abs().sum(1) * mask
        loss = loss_h + l1.sum() / mask.sum().clamp(min=1)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.step()
        if step % 50 == 0:
            print(
                f"step {step} loss {loss.item():.3f} heat {loss_h.item():.3f} "
                f"{time.time() - t0:.0f}s",
                flush=True,
            )
        if (step + 1) % 250 == 0 or step + 1 == args.steps:
            checkpoints.save(ckpt, model=model, opt=opt, sched=sched, step=step + 1, rng=rng)
        if (step + 1) % 500 == 0 or step + 1 == args.steps:
            es_recall = f", es {recall(model, es_held, device):.3f}" if es_held else ""
            print(
                f"step {step + 1} held-out recall {recall(model, held, device):.3f}{es_recall}",
                flush=True,
            )
            export(model, args.out)


if __name__ == "__main__":
    main()
