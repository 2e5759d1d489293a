"""Images that tried to break reading: tiny, narrow, or with a header that claims a huge size."""

import struct

import cv2
import numpy as np
import pytest

from platewarden.vision import ImageError, Recognizer, decode_image


def encoded(w: int, h: int, ext: str = ".png") -> bytes:
    """Return a grey w×h image in a format."""
    return cv2.imencode(ext, np.full((h, w, 3), 128, np.uint8))[1].tobytes()


def bmp_header(w: int, h: int) -> bytes:
    """Return a BMP that claims w×h pixels and holds a few bytes."""
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + info + bytes(16)


@pytest.mark.parametrize(("w", "h"), [(1, 1), (1, 40), (40, 1), (7, 100)])
@pytest.mark.parametrize("ext", [".png", ".bmp", ".jpg"])
def test_an_image_too_small_to_hold_a_plate_is_an_image_error(w: int, h: int, ext: str) -> None:
    """1×1, 1×40 and 40×1 images crashed the detector's scaling with an OpenCV error."""
    with pytest.raises(ImageError, match="too small to hold a plate"):
        decode_image(encoded(w, h, ext))


def test_an_image_too_narrow_to_hold_a_plate_is_an_image_error() -> None:
    """A 4096×100 strip (and 4096×8) crashed the detector's half-size pass like a 1-pixel image."""
    with pytest.raises(ImageError, match="too narrow"):
        decode_image(encoded(4096, 100))


@pytest.mark.parametrize(("w", "h"), [(40_000, 40_000), (30_000, -30_000), (20_000, 20_000)])
def test_a_bmp_whose_header_claims_a_huge_size_is_refused_before_decoding(w: int, h: int) -> None:
    """A BMP claiming 40000×40000 raised an OpenCV error (under its limit, it took gigabytes)."""
    with pytest.raises(ImageError, match="too large to decode safely"):
        decode_image(bmp_header(w, h))


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + bytes(40),
        b"P5\n99999999999 1\n255\n",
        b"RIFF\0\0\0\0WEBPVP8X" + bytes(20),
        b"II*\0" + bytes(20),
    ],
)
def test_an_unknown_format_or_a_header_without_a_size_is_an_image_error(data: bytes) -> None:
    """Only formats whose size is known before decoding are decoded."""
    with pytest.raises(ImageError, match=r"not a readable image|too"):
        decode_image(data)


@pytest.mark.parametrize("ext", [".png", ".jpg", ".bmp", ".webp", ".tiff", ".ppm"])
def test_every_listed_format_still_decodes(ext: str) -> None:
    """The formats of IMAGE_SUFFIXES decode after the header checks."""
    assert decode_image(encoded(120, 60, ext)).shape[:2] == (60, 120)


@pytest.mark.parametrize(("w", "h"), [(8, 8), (8, 160), (160, 8), (205, 4096), (4096, 205)])
def test_the_smallest_and_narrowest_images_decoded_are_read_without_error(
    recognizer: Recognizer, w: int, h: int
) -> None:
    """What decode_image lets through, the recognizer can read."""
    recognizer.recognize(decode_image(encoded(w, h)))
