"""Train the plate OCR (CRNN + CTC) on synthetic and real train-split crops; export ONNX."""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from platewarden.vision.ocr import ALPHABET, PlateOCR, crop_box, prepare
from platewarden.vision.pipeline import MODELS_DIR
from training import checkpoints
from training.char_slices import Sliced, slice_plate
from training.grouped_cv import fold_plates
from training.nets import CRNN
from training.ocr_batches import BatchMaker, Prerendered, Rendered
from training.onnx_export import export_onnx
from training.samples import REAL_SETS, US_SETS, RealItem, load_real_items
from training.schedules import one_cycle
from training.worker_batches import add_worker_options, one_opencv_thread, step_batches

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORK = Path("training/work")
MODEL_OUT = Path("src/platewarden/vision/models/ocr.onnx")


def encode(text: str) -> list[int]:
    """Map a plate text to CTC label indices (blank is 0)."""
    return [ALPHABET.index(c) + 1 for c in text if c in ALPHABET]


def greedy(chars: torch.Tensor) -> list[str]:
    """Decode the best path of a batch of char logits."""
    out = []
    for seq in chars.argmax(-1).tolist():
        s, prev = [], 0
        for c in seq:
            if c and c != prev:
                s.append(ALPHABET[c - 1])
            prev = c
        out.append("".join(s))
    return out


def evaluate(model: nn.Module, items: list, device: torch.device) -> float:
    """Score exact-match accuracy on held-out real crops cut with the runtime's margin."""
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(np.stack([prepare(crop_box(it.region, it.box)) for it in items]))
        texts = greedy(model(x.to(device))[0].cpu())
    model.train()
    return float(np.mean([t == it.text for t, it in zip(texts, items, strict=True)]))


def sqrt_weights(sets: list[int]) -> np.ndarray:
    """Give each real item (by its set's index) its chance to be drawn: every set's share goes as
    the square root of its size, so that a large crop set does not drown the small photo sets."""
    counts = np.bincount(sets)
    share = np.sqrt(counts) / np.sqrt(counts).sum()
    return np.array([share[s] / counts[s] for s in sets])


def export(model: nn.Module, path: Path) -> None:
    """Write the OCR as ONNX with a dynamic batch axis (from a copy on the CPU)."""
    batch = {0: "n"}
    export_onnx(
        copy.deepcopy(model).cpu(),
        path,
        (1, 1, 32, 128),
        ["chars", "state"],
        {"image": batch, "chars": batch, "state": batch},
    )


def slice_us_plates(items: list[RealItem], sets: list[str]) -> dict[int, Sliced]:
    """Cut each real US plate that can be cut into its characters' slices, by its index."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    ocr = PlateOCR(MODELS_DIR / "ocr.onnx", options)
    sliced = {}
    for i, (item, name) in enumerate(zip(items, sets, strict=True)):
        cut = slice_plate(item, ocr) if name in US_SETS else None
        if cut is not None:
            sliced[i] = cut
    us = sum(name in US_SETS for name in sets)
    print(f"sliced {len(sliced)} of {us} real US plates", flush=True)
    return sliced


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=12000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--real-fraction", type=float, default=0.4)
    ap.add_argument("--ema", type=float, default=0.999, help="decay of the exported weight average")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--synth", type=Path, nargs="+", default=[WORK / "synth_ocr_1.npz"])
    ap.add_argument(
        "--render",
        action="store_true",
        help="render the synthetic crops as they are drawn, each one new, instead of --synth",
    )
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=MODEL_OUT)
    ap.add_argument("--sets", nargs="+", default=list(REAL_SETS), help="the real sets to train on")
    ap.add_argument(
        "--sqrt-balance",
        action="store_true",
        help="draw each real set as the square root of its size (default: every crop alike)",
    )
    ap.add_argument(
        "--heavy", action="store_true", help="degrade the real crops harder (samples.real_sample)"
    )
    ap.add_argument(
        "--small",
        type=float,
        default=0.0,
        help="the share of crops, synthetic and real, degraded as a parking-lot camera gives "
        "them (samples.parking_lot: 40-90 px wide, blur, JPEG quality 15-60)",
    )
    ap.add_argument(
        "--shuffle",
        type=float,
        default=0.0,
        help="the share of real US crops (us, us-crops) drawn as a new plate made from the same "
        "plate's character slices (training/char_slices.py), where the plate can be sliced",
    )
    ap.add_argument(
        "--exclude-fold",
        type=int,
        help="train on every row of --sets but this fold of training.grouped_cv (scored on it "
        "with grouped_cv --fold K --no-committed), instead of the fixed train split",
    )
    ap.add_argument("--folds", type=int, default=5, help="the folds of --exclude-fold")
    ap.add_argument("--init", type=Path, help="start from this checkpoint's weights (fine-tuning)")
    ap.add_argument(
        "--ckpt", type=Path, default=WORK / "ocr.pt", help="checkpoint to save and resume"
    )
    add_worker_options(ap)
    return ap.parse_args()


def load_real(
    args: argparse.Namespace,
) -> tuple[list[RealItem], np.ndarray | None, list[RealItem], dict[int, Sliced]]:
    """Load the real crops trained on, their draw weights, the held-out crops scored during
    training and the US plates' slices; write the plates trained on beside the checkpoint."""
    if args.exclude_fold is None:
        split, fold_out = "train", set()
        held = load_real_items(args.data / "plates", "heldout", tuple(args.sets))
    else:
        split, fold_out = "all", fold_plates(args.data / "plates", args.folds, args.exclude_fold)
        everything = load_real_items(args.data / "plates", "all", tuple(args.sets))
        held = [it for it in everything if it.text in fold_out]
    real, real_sets = [], []
    for i, name in enumerate(args.sets):
        items = load_real_items(args.data / "plates", split, (name,))
        items = [it for it in items if it.text not in fold_out]
        real += items
        real_sets += [i] * len(items)
    weights = sqrt_weights(real_sets) if args.sqrt_balance else None
    sliced = slice_us_plates(real, [args.sets[i] for i in real_sets]) if args.shuffle else {}
    # The plates trained on, for training.grouped_cv --trained: it scores only the others.
    args.ckpt.parent.mkdir(parents=True, exist_ok=True)
    args.ckpt.with_suffix(".plates.json").write_text(json.dumps(sorted({it.text for it in real})))
    return real, weights, held, sliced


def main() -> None:
    """Train for --steps, checkpointing to training/work/ocr.pt, then export ONNX."""
    args = parse_args()
    if args.workers:
        one_opencv_thread()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    rng = np.random.default_rng(args.seed)

    synth = (
        Rendered(args.data / "backgrounds", args.seed) if args.render else Prerendered(args.synth)
    )
    real, weights, held, sliced = load_real(args)
    drawn = "rendered as drawn" if args.render else len(synth)
    print(f"synthetic {drawn}, real train {len(real)}, real held-out {len(held)}", flush=True)
    make = BatchMaker(
        synth,
        real,
        weights,
        args.batch,
        args.steps,
        args.real_fraction,
        args.heavy,
        args.small,
        args.shuffle,
        sliced,
    )

    model = CRNN()
    if args.init:
        model.load_state_dict(torch.load(args.init, weights_only=False)["model"])
    model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = one_cycle(opt, args.lr, args.steps)
    # The exported model is a running average of the weights: steadier than the last step's.
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(args.ema), use_buffers=True)
    start, rng = checkpoints.resume(args.ckpt, model=model, opt=opt, sched=sched, rng=rng, ema=ema)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    ce = nn.CrossEntropyLoss(ignore_index=-1)
    t0 = time.time()
    setup = synth.start if isinstance(synth, Rendered) else None
    for step, (x, texts, states) in step_batches(make, args, start, rng, setup):
        labels = [encode(t) for t in texts]
        targets = torch.tensor([c for lab in labels for c in lab], dtype=torch.long)
        lengths = torch.tensor([len(lab) for lab in labels], dtype=torch.long)
        chars, state_logits = model(x.to(device, non_blocking=True))
        logp = chars.log_softmax(-1).transpose(0, 1)
        steps_in = torch.full((len(texts),), logp.shape[0], dtype=torch.long)
        loss = ctc(logp, targets.to(device), steps_in, lengths)
        st = torch.tensor(states, dtype=torch.long)
        if (st >= 0).any():
            loss = loss + 0.3 * ce(state_logits, st.to(device))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.step()
        ema.update_parameters(model)
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.3f} {time.time() - t0:.0f}s", flush=True)
        if (step + 1) % 500 == 0 or step + 1 == args.steps:
            checkpoints.save(
                args.ckpt, model=model, opt=opt, sched=sched, step=step + 1, rng=rng, ema=ema
            )
        if (step + 1) % 1000 == 0 or step + 1 == args.steps:
            exact = evaluate(model, held, device)
            averaged = evaluate(ema.module, held, device)
            print(f"step {step + 1} held-out exact {exact:.3f}, average {averaged:.3f}", flush=True)
            export(ema.module, args.out)
    export(ema.module, args.out)


if __name__ == "__main__":
    main()
