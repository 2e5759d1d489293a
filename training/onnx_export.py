"""Write a trained network as the ONNX file the package loads."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn


def export_onnx(
    model: nn.Module,
    path: Path,
    example: tuple[int, ...],
    outputs: list[str],
    dynamic: dict[str, dict[int, str]],
) -> None:
    """Export model (in evaluation mode) with one input "image" shaped like example, opset 17.

    dynamic names each tensor's axes that may vary, e.g. {"image": {0: "n"}} for the batch.
    """
    model.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model,
        torch.zeros(*example),
        str(path),
        input_names=["image"],
        output_names=outputs,
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )
