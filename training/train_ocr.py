"""Train the plate OCR (CRNN + CTC) on synthetic and real train-split crops; export ONNX."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from platewarden.vision.ocr import ALPHABET, STATES, crop_box, prepare
from training import checkpoints
from training.nets import CRNN
from training.onnx_export import export_onnx
from training.samples import load_real_items, real_sample

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORK = Path("training/work")
MODEL_OUT = Path("src/platewarden/vision/models/ocr.onnx")


def encode(text: str) -> list[int]:
    """Map a plate text to CTC label indices (blank is 0)."""
    return [ALPHABET.index(c) + 1 for c in text if c in ALPHABET]


def state_label(state: str | None) -> int:
    """Give the state class of a real item: its state, 0 for non-US ("") and -1 when unknown."""
    return STATES.index(state) if state is not None and state in STATES else -1


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


def evaluate(model: nn.Module, items: list) -> float:
    """Score exact-match accuracy on held-out real crops cut with the runtime's margin."""
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(np.stack([prepare(crop_box(it.region, it.box)) for it in items]))
        texts = greedy(model(x)[0])
    model.train()
    return float(np.mean([t == it.text for t, it in zip(texts, items, strict=True)]))


def export(model: nn.Module, path: Path) -> None:
    """Write the OCR as ONNX with a dynamic batch axis."""
    batch = {0: "n"}
    export_onnx(
        model,
        path,
        (1, 1, 32, 128),
        ["chars", "state"],
        {"image": batch, "chars": batch, "state": batch},
    )


def main() -> None:
    """Train for --steps, checkpointing to training/work/ocr.pt, then export ONNX."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=12000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--real-fraction", type=float, default=0.4)
    ap.add_argument("--ema", type=float, default=0.999, help="decay of the exported weight average")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--synth", type=Path, nargs="+", default=[WORK / "synth_ocr_1.npz"])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=MODEL_OUT)
    ap.add_argument("--init", type=Path, help="start from this checkpoint's weights (fine-tuning)")
    ap.add_argument(
        "--ckpt", type=Path, default=WORK / "ocr.pt", help="checkpoint to save and resume"
    )
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)

    packs = [np.load(p) for p in args.synth]
    s_images = np.concatenate([p["images"] for p in packs])
    s_texts = np.concatenate([p["texts"] for p in packs])
    real = load_real_items(args.data / "plates", "train")
    held = load_real_items(args.data / "plates", "heldout")
    print(
        f"synthetic {len(s_images)}, real train {len(real)}, real held-out {len(held)}", flush=True
    )

    model = CRNN()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, args.lr, total_steps=args.steps, pct_start=0.05
    )
    ckpt = args.ckpt
    if args.init:
        model.load_state_dict(torch.load(args.init, weights_only=False)["model"])
    # The exported model is a running average of the weights: steadier than the last step's.
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(args.ema), use_buffers=True)
    start, rng = checkpoints.resume(ckpt, model=model, opt=opt, sched=sched, rng=rng, ema=ema)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    ce = nn.CrossEntropyLoss(ignore_index=-1)
    t0 = time.time()
    for step in range(start, args.steps):
        n_real = int(args.batch * (args.real_fraction if step > args.steps * 0.15 else 0.1))
        idx = rng.integers(len(s_images), size=args.batch - n_real)
        xs = [prepare(s_images[i]) for i in idx]
        texts = [str(s_texts[i]) for i in idx]
        states = [-1] * len(idx)
        for j in rng.integers(len(real), size=n_real):
            it = real[j]
            xs.append(prepare(real_sample(it, rng)))
            texts.append(it.text)
            states.append(state_label(it.state))
        x = torch.from_numpy(np.stack(xs))
        labels = [encode(t) for t in texts]
        targets = torch.tensor([c for lab in labels for c in lab], dtype=torch.long)
        lengths = torch.tensor([len(lab) for lab in labels], dtype=torch.long)
        chars, state_logits = model(x)
        logp = chars.log_softmax(-1).transpose(0, 1)
        loss = ctc(logp, targets, torch.full((len(xs),), logp.shape[0], dtype=torch.long), lengths)
        st = torch.tensor(states, dtype=torch.long)
        if (st >= 0).any():
            loss = loss + 0.3 * ce(state_logits, st)
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
                ckpt, model=model, opt=opt, sched=sched, step=step + 1, rng=rng, ema=ema
            )
        if (step + 1) % 1000 == 0 or step + 1 == args.steps:
            exact, averaged = evaluate(model, held), evaluate(ema.module, held)
            print(f"step {step + 1} held-out exact {exact:.3f}, average {averaged:.3f}", flush=True)
            export(ema.module, args.out)
    export(ema.module, args.out)


if __name__ == "__main__":
    main()
