"""Turn a committed ocr.onnx back into a CRNN checkpoint, so a later run can fine-tune it.

The exporter folds each batch norm into the convolution before it. This puts the folded weights
back in the convolutions and sets each batch norm, from the statistics of real crops, so that it
passes its input through unchanged in evaluation and nearly so in training.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from torch import nn

from platewarden.vision.ocr import crop_box, prepare
from training.nets import CRNN
from training.samples import load_real_items

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)


def folded_convolutions(path: Path) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """List the weight and bias of each Conv node of an ONNX graph, in graph order."""
    graph = onnx.load(str(path)).graph
    init = {i.name: numpy_helper.to_array(i).copy() for i in graph.initializer}
    convs = []
    for node in graph.node:
        if node.op_type == "Conv":
            bias = init[node.input[2]] if len(node.input) > 2 else None
            convs.append((init[node.input[1]], bias))
    return convs


def rebuild(path: Path, batch: np.ndarray) -> CRNN:
    """Make a CRNN whose evaluation output equals the ONNX model's; batch calibrates the norms."""
    model = CRNN()
    modules = list(model.modules())
    pairs = [
        (m, after if isinstance(after, NORMS) else None)
        for m, after in zip(modules, [*modules[1:], None], strict=True)
        if isinstance(m, (nn.Conv1d, nn.Conv2d))
    ]
    convs = folded_convolutions(path)
    if len(convs) != len(pairs):
        raise ValueError(f"{path} has {len(convs)} convolutions, the CRNN {len(pairs)}")
    folded_bias: dict[nn.Module, torch.Tensor] = {}
    with torch.no_grad():
        for (conv, norm), (weight, bias) in zip(pairs, convs, strict=True):
            conv.weight.copy_(torch.from_numpy(weight))
            b = torch.from_numpy(bias) if bias is not None else torch.zeros(weight.shape[0])
            if conv.bias is not None:
                conv.bias.zero_()
            if norm is not None:
                norm.running_mean.zero_()
                norm.running_var.fill_(1.0 - norm.eps)
                norm.weight.fill_(1.0)
                norm.bias.copy_(b)
                folded_bias[norm] = b
            elif conv.bias is not None:
                conv.bias.copy_(b)
    _load_heads(model, path)
    _calibrate(model, folded_bias, torch.from_numpy(batch))
    return model


def _load_heads(model: CRNN, path: Path) -> None:
    init = {i.name: numpy_helper.to_array(i).copy() for i in onnx.load(str(path)).graph.initializer}
    with torch.no_grad():
        for name in ("chars.weight", "chars.bias", "state.weight", "state.bias"):
            model.get_parameter(name).copy_(torch.from_numpy(init[name]))


def _calibrate(model: CRNN, folded_bias: dict[nn.Module, torch.Tensor], x: torch.Tensor) -> None:
    """Give each norm the mean and spread of its input, keeping the evaluation function."""
    seen: dict[nn.Module, torch.Tensor] = {}
    hooks = [
        norm.register_forward_hook(lambda m, inp, out: seen.__setitem__(m, inp[0].detach()))
        for norm in folded_bias
    ]
    model.eval()
    with torch.no_grad():
        model(x)
        for norm, b in folded_bias.items():
            z = seen[norm].transpose(0, 1).reshape(seen[norm].shape[1], -1)
            mean, std = z.mean(dim=1), z.std(dim=1).clamp_min(1e-3)
            norm.running_mean.copy_(mean)
            norm.running_var.copy_(std**2 - norm.eps)
            norm.weight.copy_(std)
            norm.bias.copy_(mean + b)
    for h in hooks:
        h.remove()


def main() -> None:
    """Rebuild --onnx into --out and check that both give the same logits."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--onnx", type=Path, default=Path("src/platewarden/vision/models/ocr.onnx"))
    ap.add_argument("--out", type=Path, default=Path("training/work/ocr_from_onnx.pt"))
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    items = load_real_items(args.data / "plates", "train")
    batch = np.stack([prepare(crop_box(it.region, it.box)) for it in items])
    model = rebuild(args.onnx, batch)
    session = ort.InferenceSession(str(args.onnx), providers=["CPUExecutionProvider"])
    expected = session.run(None, {"image": batch[:64]})[0]
    with torch.no_grad():
        got = model(torch.from_numpy(batch[:64]))[0].numpy()
    gap = float(np.abs(got - expected).max())
    print(f"largest logit difference from the ONNX model: {gap:.2e}")
    if gap > 1e-2:
        raise SystemExit("the rebuilt model does not match the ONNX model")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict()}, args.out)


if __name__ == "__main__":
    main()
