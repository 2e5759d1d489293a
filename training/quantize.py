"""Quantize the detector and the OCR models to 8 bits, calibrated on the train split's real plates.

ONNX Runtime's static quantization (QDQ format, weights signed 8-bit per channel, activations
unsigned 8-bit, their ranges the calibration's minimum and maximum): the detector calibrated on
its two passes' inputs of 64 train-split photos (us, eu, br and es), each OCR model on 768 crops
of 256 train-split plates (us, eu, br, us-crops and br-crops), each cut with the reader's three
margins. The corner and state models are copied as they are. The output is a models folder
with its own SHA256SUMS, which Recognizer.load(folder) reads.

  python -m training.quantize --out training/work/int8
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from onnxruntime.quantization import (
    CalibrationDataReader,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from platewarden.vision.dataset import load_truth
from platewarden.vision.detector import to_input
from platewarden.vision.images import load_image, to_gray
from platewarden.vision.ocr import crop_box, prepare
from platewarden.vision.pipeline import (
    CHECKSUMS,
    MODEL_FILES,
    MODELS_DIR,
    SECOND_OCR,
    VIEW_MARGINS,
    sha256,
)
from training.detection_sets import load_boxed
from training.samples import load_real_items

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PHOTO_SETS = ("us", "eu", "br")
OCR_SETS = ("us", "eu", "br", "us-crops", "br-crops")
QUANTIZED = ("detector.onnx", "ocr.onnx", SECOND_OCR)
SEED = 50


class Batches(CalibrationDataReader):
    """Feed the calibration one input batch at a time."""

    def __init__(self, batches: list[np.ndarray]) -> None:
        self._batches: Iterator[np.ndarray] = iter(batches)

    def get_next(self) -> dict[str, np.ndarray] | None:
        batch = next(self._batches, None)
        return None if batch is None else {"image": batch}


def detector_batches(photos: int) -> list[np.ndarray]:
    """The detector's inputs, both passes, of a seeded sample of train-split photos."""
    paths = [t.image for name in PHOTO_SETS for t in load_truth(DATA / "plates" / name, "train")]
    images = [load_image(p) for p in paths]
    images += [item.image for item in load_boxed(DATA / "detection" / "es", "train")]
    batches = []
    for image in random.Random(SEED).sample(images, photos):
        gray = to_gray(image)
        x, scale = to_input(gray)
        half, _ = to_input(gray, int(max(gray.shape) * scale) // 2)
        batches += [x, half]
    return batches


def ocr_batches(plates: int, size: int = 64) -> list[np.ndarray]:
    """The OCR's inputs: a seeded sample of train-split plates, each cut with every margin."""
    items = load_real_items(DATA / "plates", "train", OCR_SETS)
    crops = [
        prepare(crop_box(item.region, item.box, margin))
        for item in random.Random(SEED).sample(items, plates)
        for margin in VIEW_MARGINS
    ]
    return [np.stack(crops[i : i + size]) for i in range(0, len(crops), size)]


def quantize(source: Path, target: Path, batches: list[np.ndarray]) -> None:
    """Quantize one model from source to target, calibrated on batches."""
    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(source), str(prepared))
        quantize_static(
            str(prepared),
            str(target),
            Batches(batches),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
        )


def main() -> None:
    """Write a models folder with the detector and the OCR models quantized."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=MODELS_DIR, help="the models to quantize")
    ap.add_argument("--out", type=Path, required=True, help="the folder to write")
    ap.add_argument("--photos", type=int, default=64)
    ap.add_argument("--plates", type=int, default=256)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    names = [*MODEL_FILES, SECOND_OCR]
    for name in names:
        if name not in QUANTIZED:
            shutil.copy(args.models / name, args.out / name)
    detector = detector_batches(args.photos)
    quantize(args.models / "detector.onnx", args.out / "detector.onnx", detector)
    crops = ocr_batches(args.plates)
    for name in ("ocr.onnx", SECOND_OCR):
        quantize(args.models / name, args.out / name, crops)
    sums = "".join(f"{sha256(args.out / name)}  {name}\n" for name in names)
    (args.out / CHECKSUMS).write_text(sums)
    print(sums, end="")


if __name__ == "__main__":
    main()
