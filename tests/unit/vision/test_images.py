"""Decoding bad and odd image inputs gives a clear ImageError or a usable array."""

import cv2
import numpy as np
import pytest

from platewarden.vision import ImageError, Recognizer, decode_image, load_image
from platewarden.vision.images import MAX_SIDE


def _jpeg(image: np.ndarray) -> bytes:
    return cv2.imencode(".jpg", image)[1].tobytes()


def test_zero_byte_file_is_an_image_error(tmp_path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(ImageError, match="0 bytes"):
        load_image(path)


def test_text_file_is_an_image_error() -> None:
    with pytest.raises(ImageError, match="not a readable image"):
        decode_image(b"plate,ABC123\n" * 20)


def test_truncated_jpeg_is_an_image_error() -> None:
    data = _jpeg(np.full((200, 300, 3), 90, np.uint8))
    with pytest.raises(ImageError, match="truncated"):
        decode_image(data[: len(data) // 2])


def test_missing_file_is_an_image_error(tmp_path) -> None:
    with pytest.raises(ImageError, match="cannot read"):
        load_image(tmp_path / "nope.jpg")


def test_huge_jpeg_is_decoded_reduced() -> None:
    image = decode_image(_jpeg(np.full((6000, 10000), 100, np.uint8)))
    assert max(image.shape[:2]) <= MAX_SIDE


def test_grayscale_png_and_bgra_decode() -> None:
    gray = decode_image(cv2.imencode(".png", np.full((40, 80), 7, np.uint8))[1].tobytes())
    assert gray.shape == (40, 80)
    bgra = decode_image(cv2.imencode(".png", np.full((40, 80, 4), 7, np.uint8))[1].tobytes())
    assert bgra.shape == (40, 80, 3)


def test_sixteen_bit_frame_is_accepted(recognizer: Recognizer) -> None:
    assert recognizer.recognize(np.full((300, 400), 4000, np.uint16)) == []


@pytest.mark.parametrize("bad", [np.zeros((0, 0), np.uint8), np.zeros((2, 2, 2, 2), np.uint8)])
def test_bad_arrays_are_image_errors(recognizer: Recognizer, bad: np.ndarray) -> None:
    with pytest.raises(ImageError):
        recognizer.recognize(bad)
