"""Plate recognition: find plates in images and video and read them (ONNX Runtime, CPU)."""

from platewarden.vision.images import ImageError, decode_image, load_image
from platewarden.vision.pipeline import ModelError, PlateRead, Recognizer, recognize

__all__ = [
    "ImageError",
    "ModelError",
    "PlateRead",
    "Recognizer",
    "decode_image",
    "load_image",
    "recognize",
]
