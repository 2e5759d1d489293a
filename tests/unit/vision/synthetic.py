"""A small seeded synthetic set: clean plates pasted into plain scenes, and a video of one."""

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
DIGITS = "0123456789"


@dataclass(frozen=True)
class Scene:
    """A synthetic photo with one plate: the image, the text and the plate's box."""

    image: np.ndarray
    text: str
    box: tuple[int, int, int, int]
    plate: np.ndarray
    corners: np.ndarray | None = None  # a tilted plate's corners (4 x 2), top left clockwise


def render_plate(text: str, rng: np.random.Generator) -> np.ndarray:
    """Draw a clean US-style plate (dark text on a light plate) as BGR."""
    w, h = 240, 120
    img = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(200, 256, 3)))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([1, 1, w - 2, h - 2], radius=10, outline=(30, 30, 30), width=3)
    font = ImageFont.truetype(str(FONT), 100)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    glyphs = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(glyphs).text((4 - left, 4 - top), text, font=font, fill=255)
    glyphs = glyphs.resize((196, 64))
    img.paste(Image.new("RGB", glyphs.size, (20, 30, 60)), (22, 34), glyphs)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def make_scene(rng: np.random.Generator) -> Scene:
    """Paste one plate into a 1280x720 scene of smooth noise and clutter."""
    text = "".join(rng.choice(list(LETTERS), 3)) + "".join(rng.choice(list(DIGITS), 4))
    scene = cv2.resize(rng.integers(40, 200, (18, 32, 3), dtype=np.uint8), (1280, 720))
    for _ in range(6):  # shapes that are not plates
        x, y = int(rng.integers(0, 1200)), int(rng.integers(0, 650))
        color = tuple(int(v) for v in rng.integers(0, 255, 3))
        cv2.rectangle(scene, (x, y), (x + int(rng.integers(20, 200)), y + 30), color, -1)
    plate = render_plate(text, rng)
    width = int(rng.integers(120, 220))
    plate_small = cv2.resize(plate, (width, width // 2), interpolation=cv2.INTER_AREA)
    x, y = int(rng.integers(50, 1280 - width - 50)), int(rng.integers(200, 620 - width // 2))
    scene[y : y + width // 2, x : x + width] = plate_small
    return Scene(scene, text, (x, y, width, width // 2), plate)


def make_close_up(rng: np.random.Generator, width: int = 1000) -> Scene:
    """Fill most of a 1280x720 frame with one plate, as a camera a metre from a bumper sees it."""
    text = "".join(rng.choice(list(LETTERS), 3)) + "".join(rng.choice(list(DIGITS), 4))
    scene = cv2.resize(rng.integers(40, 200, (18, 32, 3), dtype=np.uint8), (1280, 720))
    plate = cv2.resize(render_plate(text, rng), (width, width // 2), interpolation=cv2.INTER_AREA)
    x, y = (1280 - width) // 2, (720 - width // 2) // 2
    scene[y : y + width // 2, x : x + width] = plate
    return Scene(scene, text, (x, y, width, width // 2), plate)


def make_tilted(rng: np.random.Generator, angle: float, width: int = 200) -> Scene:
    """Paste one plate turned by angle degrees and seen a little from the side into a scene."""
    text = "".join(rng.choice(list(LETTERS), 3)) + "".join(rng.choice(list(DIGITS), 4))
    scene = cv2.resize(rng.integers(40, 200, (18, 32, 3), dtype=np.uint8), (1280, 720))
    plate = render_plate(text, rng)
    h, w = plate.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    far = np.float32([[0, 0], [0, 0.08 * h], [0, -0.08 * h], [0, 0]])  # the right side is further
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, width / w)[:, :2]
    dst = (src + far - (w / 2, h / 2)) @ turn.T + (640, 360)
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(plate, m, (1280, 720))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (1280, 720)) > 128
    scene[mask] = warped[mask]
    (x0, y0), (x1, y1) = dst.min(axis=0), dst.max(axis=0)
    box = (round(x0), round(y0), round(x1 - x0), round(y1 - y0))
    return Scene(scene, text, box, plate, dst)


def write_video(path: Path, scene: Scene, frames: int = 8) -> None:
    """Write an MJPG video of scene's plate moving across a plain frame."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (1280, 720))
    x, y, w, h = scene.box
    plate = scene.image[y : y + h, x : x + w]
    for i in range(frames):
        frame = np.full((720, 1280, 3), 90, np.uint8)
        frame[300 : 300 + h, 200 + 60 * i : 200 + 60 * i + w] = plate
        writer.write(frame)
    writer.release()
