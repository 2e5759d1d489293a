"""Decode image bytes and files safely: clear errors, no memory blow-up on huge images."""

from __future__ import annotations

import os
import re
import stat
import struct
from pathlib import Path

import cv2
import numpy as np

MAX_SIDE = 4096
MAX_DECODE_PIXELS = 100_000_000
MIN_SIDE = 8  # fewer pixels across cannot hold a plate (and 1 px breaks the detector's scaling)
MAX_ASPECT = 20  # a frame or a plate is not 20 times longer than it is high
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm")
FORMATS = "JPEG, PNG, BMP, WebP, TIFF or PNM"


class ImageError(ValueError):
    """An input that is not a readable image."""


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return w, h
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
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


def _bmp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 26:
        return None
    if struct.unpack("<I", data[14:18])[0] == 12:  # the OS/2 header: 16-bit sizes
        w, h = struct.unpack("<HH", data[18:22])
        return w, h
    w, h = struct.unpack("<ii", data[18:26])
    return abs(w), abs(h)  # a negative height is a top-down bitmap


def _pnm_size(data: bytes) -> tuple[int, int] | None:
    found = re.match(rb"P[1-6](?:\s|#[^\n]*\n)+(\d{1,9})(?:\s|#[^\n]*\n)+(\d{1,9})", data[:512])
    return (int(found[1]), int(found[2])) if found else None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":
        bits = struct.unpack("<I", data[21:25])[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _tiff_size(data: bytes) -> tuple[int, int] | None:
    order = "<" if data[:2] == b"II" else ">"
    try:
        (offset,) = struct.unpack(order + "I", data[4:8])
        (count,) = struct.unpack(order + "H", data[offset : offset + 2])
        sizes: dict[int, int] = {}
        for n in range(min(count, 1000)):
            at = offset + 2 + 12 * n
            tag, kind = struct.unpack(order + "HH", data[at : at + 4])
            if tag in (256, 257):  # ImageWidth, ImageLength: a SHORT or a LONG
                code = "H" if kind == 3 else "I"
                (sizes[tag],) = struct.unpack(
                    order + code, data[at + 8 : at + 8 + (2 if kind == 3 else 4)]
                )
    except struct.error:  # the header ends early
        return None
    return (sizes[256], sizes[257]) if len(sizes) == 2 else None


def _header_size(data: bytes) -> tuple[int, int] | None:
    """Return the (width, height) an image's header gives; ImageError for an unknown format."""
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _png_size(data)
    if data[:2] == b"BM":
        return _bmp_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:4] in (b"II*\0", b"MM\0*"):
        return _tiff_size(data)
    if re.match(rb"P[1-6]\s", data[:3]):
        return _pnm_size(data)
    raise ImageError(f"not a readable image (not {FORMATS})")


def decode_image(data: bytes) -> np.ndarray:
    """Decode image bytes to BGR or grayscale; raise ImageError on anything unreadable.

    Only formats whose header gives the size are decoded, so that the size is checked before
    any memory is taken for the pixels.
    """
    if not data:
        raise ImageError("empty file (0 bytes)")
    if data[:2] == b"\xff\xd8" and b"\xff\xd9" not in data[-1024:]:
        raise ImageError("truncated JPEG (no end-of-image marker)")
    size = _header_size(data)
    if size is None or min(size) <= 0:
        raise ImageError("not a readable image (its header gives no size)")
    w, h = size
    check_shape(w, h)
    jpeg = data[:2] == b"\xff\xd8"
    # A JPEG is turned upright as its EXIF orientation says, as every viewer shows it, so that the
    # boxes fit the image a person sees (IMREAD_UNCHANGED would ignore the orientation); the other
    # formats keep their alpha and depth.
    flag = cv2.IMREAD_ANYCOLOR if jpeg else cv2.IMREAD_UNCHANGED
    if w * h > MAX_DECODE_PIXELS and not jpeg:
        raise ImageError(f"image too large to decode safely ({w}x{h})")
    for factor, reduced in (
        (8, cv2.IMREAD_REDUCED_COLOR_8),
        (4, cv2.IMREAD_REDUCED_COLOR_4),
        (2, cv2.IMREAD_REDUCED_COLOR_2),
    ):
        if jpeg and max(w, h) / factor >= MAX_SIDE:
            flag = reduced
            break
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    except cv2.error:  # a header OpenCV refuses (its own size limit, a broken stream)
        image = None
    if image is None or image.size == 0:
        raise ImageError("not a readable image")
    h, w = image.shape[:2]
    check_shape(w, h)  # the decoder may not agree with the header
    return fit(image)


def check_shape(w: int, h: int) -> None:
    """Refuse an image (w x h pixels) too small or too narrow to hold a plate."""
    if min(w, h) < MIN_SIDE:
        raise ImageError(f"image too small to hold a plate ({w}x{h}, under {MIN_SIDE} pixels)")
    if max(w, h) > MAX_ASPECT * min(w, h):
        raise ImageError(f"image too narrow to hold a plate ({w}x{h})")


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


MAX_FILE_BYTES = 20 * 2**20  # a camera frame is a few MB; a file is read no further than this


def read_image_file(path: Path | str) -> bytes:
    """Read an image file's bytes, at most MAX_FILE_BYTES; raise ImageError otherwise."""
    try:
        with Path(path).open("rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise ImageError(f"{path} is not a regular file")
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ImageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(f"{path} is over {MAX_FILE_BYTES // 2**20} MB")
    return data


def load_image(path: Path | str) -> np.ndarray:
    """Read and decode an image file; raise ImageError when it cannot be read."""
    return decode_image(read_image_file(path))


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
