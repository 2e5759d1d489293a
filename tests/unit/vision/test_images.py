"""Decoding bad and odd image inputs gives a clear ImageError or a usable array."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image

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


def _jpeg_turned(image: np.ndarray, orientation: int) -> bytes:
    """The image as a JPEG with an EXIF orientation tag (0x0112), as phones write them."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)).save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def test_a_jpeg_is_turned_as_its_exif_orientation_says() -> None:
    # Orientation 6: the pixels lie a quarter turn anticlockwise; viewers turn them clockwise.
    upright = np.zeros((40, 100, 3), np.uint8)
    upright[:8] = 255  # a white band along the top
    stored = cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE)
    image = decode_image(_jpeg_turned(stored, 6))
    assert image.shape == (40, 100, 3)
    assert image[:8].mean() > 200 and image[12:].mean() < 30


def test_a_sideways_phone_photo_is_read_upright(recognizer: Recognizer, scenes: list) -> None:
    scene = scenes[0]
    stored = cv2.rotate(scene.image, cv2.ROTATE_90_COUNTERCLOCKWISE)
    reads = recognizer.recognize(decode_image(_jpeg_turned(stored, 6)))
    assert scene.text in [r.text for r in reads]
