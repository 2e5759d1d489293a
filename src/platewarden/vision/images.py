"""Decode image bytes and files safely: clear errors, no memory blow-up on huge images."""

from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np

MAX_SIDE = 4096
MAX_DECODE_PIXELS = 100_000_000
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm")


class ImageError(ValueError):
    """An input that is not a readable image."""


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return w, h
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return None


def decode_image(data: bytes) -> np.ndarray:
    """Decode image bytes to BGR or grayscale; raise ImageError on anything unreadable."""
    if not data:
        raise ImageError("empty file (0 bytes)")
    if data[:2] == b"\xff\xd8" and b"\xff\xd9" not in data[-1024:]:
        raise ImageError("truncated JPEG (no end-of-image marker)")
    size = _png_size(data) or _jpeg_size(data)
    flag = cv2.IMREAD_UNCHANGED
    if size is not None:
        w, h = size
        if w * h > MAX_DECODE_PIXELS and data[:2] != b"\xff\xd8":
            raise ImageError(f"image too large to decode safely ({w}x{h})")
        for factor, reduced in (
            (8, cv2.IMREAD_REDUCED_COLOR_8),
            (4, cv2.IMREAD_REDUCED_COLOR_4),
            (2, cv2.IMREAD_REDUCED_COLOR_2),
        ):
            if data[:2] == b"\xff\xd8" and max(w, h) / factor >= MAX_SIDE:
                flag = reduced
                break
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if image is None or image.size == 0:
        raise ImageError("not a readable image")
    return fit(image)


def fit(image: np.ndarray, max_side: int = MAX_SIDE) -> np.ndarray:
    """Downscale image so that its longer side is at most max_side."""
    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(float(image.max()), 1.0))
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    h, w = image.shape[:2]
    if max(h, w) > max_side:
        s = max_side / max(h, w)
        image = cv2.resize(
            image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA
        )
    return image


def load_image(path: Path | str) -> np.ndarray:
    """Read and decode an image file; raise ImageError when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return decode_image(data)


def to_gray(image: np.ndarray) -> np.ndarray:
    """Convert a BGR, BGRA or grayscale array to a uint8 grayscale image."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        raise ImageError("expected a non-empty 2-D or 3-D image array")
    image = fit(image)
    if image.ndim == 3:
        if image.shape[2] == 1:
            return np.ascontiguousarray(image[..., 0])
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return image
