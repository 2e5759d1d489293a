"""Turn a committed ocr.onnx or detector.onnx back into a checkpoint, so a later run can
fine-tune it.

The exporter folds each batch norm into the convolution before it. This puts the folded weights
back in the convolutions and sets each batch norm, from the statistics of real inputs (plate
crops, or windows of the train photos for the detector), so that it passes its input through
unchanged in evaluation and nearly so in training.
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
from training.nets import CRNN, Detector
from training.samples import load_real_items
from training.train_detector import load_photos, random_crop

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


def rebuild(path: Path, batch: np.ndarray, model: nn.Module) -> nn.Module:
    """Load the ONNX model's weights into model (a CRNN or a Detector, freshly made), so that its
    evaluation output equals the ONNX model's; batch calibrates the norms."""
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
    if isinstance(model, CRNN):
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
    """Rebuild --onnx into --out and check that both give the same outputs."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--net", choices=("ocr", "detector"), default="ocr")
    ap.add_argument("--onnx", type=Path, help="default: the committed model of --net")
    ap.add_argument("--out", type=Path, help="default: training/work/NET_from_onnx.pt")
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    onnx_path = args.onnx or Path(f"src/platewarden/vision/models/{args.net}.onnx")
    out = args.out or Path(f"training/work/{args.net}_from_onnx.pt")
    if args.net == "ocr":
        items = load_real_items(args.data / "plates", "train")
        batch = np.stack([prepare(crop_box(it.region, it.box)) for it in items])
        model = rebuild(onnx_path, batch, CRNN())
    else:
        batch = _detector_windows(args.data)
        model = rebuild(onnx_path, batch, Detector())
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    expected = session.run(None, {"image": batch[:64]})[0]
    with torch.no_grad():
        got = model(torch.from_numpy(batch[:64]))
    got = (got[0] if isinstance(got, tuple) else got).numpy()
    gap = float(np.abs(got - expected).max())
    print(f"largest output difference from the ONNX model: {gap:.2e}")
    if gap > 1e-2:
        raise SystemExit("the rebuilt model does not match the ONNX model")
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict()}, out)


def _detector_windows(data: Path, n: int = 64) -> np.ndarray:
    """Cut n seeded 320x320 windows of the train photos, as the detector's training sees them."""
    rng = np.random.default_rng(0)
    photos = load_photos(data / "plates", "train")
    crops = [random_crop(*photos[rng.integers(len(photos))], rng)[0] for _ in range(n)]
    return (np.stack(crops).astype(np.float32)[:, None] - 128.0) / 64.0


if __name__ == "__main__":
    main()
