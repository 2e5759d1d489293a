"""Render synthetic license plates (US, EU and BR styles) with Debian fonts, seeded."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

LETTERS = string.ascii_uppercase
DIGITS = string.digits
FONT_DIRS = [Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype")]
# Condensed, bold sans faces look most like plate dies (Penitentiary Gothic, DIN 1451, Mandatory).
PLATE_FONTS = [
    "LiberationSansNarrow-Bold.ttf",
    "LiberationSansNarrow-Regular.ttf",
    "NimbusSansNarrow-Bold.otf",
    "NimbusSansNarrow-Regular.otf",
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSans-Bold.ttf",
    "FreeSansBold.ttf",
    "NimbusSans-Bold.otf",
    "LiberationSans-Bold.ttf",
    "URWGothic-Demi.otf",
    "DejaVuSansMono-Bold.ttf",
    "LiberationMono-Bold.ttf",
    "NimbusMonoPS-Bold.otf",
    "RobotoCondensed-Bold.ttf",
    "RobotoCondensed-Regular.ttf",
    "BebasNeue-Bold.otf",
    "BebasNeue-Regular.otf",
    "OpenSans-CondBold.ttf",
    "B612-Bold.otf",
    "B612Mono-Bold.otf",
]
HEADER_FONTS = [
    "DejaVuSerif-Bold.ttf",
    "NimbusRoman-Bold.otf",
    "DejaVuSans-Bold.ttf",
    "Z003-MediumItalic.otf",
]
US_PATTERNS = [
    "LLLDDDD",
    "DLLLDDD",
    "LLLDDD",
    "DDDLLL",
    "LLDDDDD",
    "DLLDDD",
    "LLLLDDD",
    "DDDDLL",
    "LDDDLL",
    "DDLLLD",
    "XXXXXX",
    "XXXXXXX",
    "XXXXX",
    "LLDDLL",
    "DDDDDD",
    "LLLLLLL",
]
EU_PATTERNS = [
    "LLDDLLL",
    "LLDDDDD",
    "LDDDLLL",
    "LLLDDDD",
    "LLDDDLL",
    "LLLDDLL",
    "LDLLL",
    "LLLLDDD",
    "DDLLLD",
    "LLDDDD",
    "XXXXXXX",
    "XXXXXX",
    "LLLLLDD",
]
BR_PATTERNS = ["LLLDDDD", "LLLDLDD"]
# Runs of one character ("AAA0000", "JX1000") are common on real plates and rare in random draws;
# without them CTC learns to merge neighbours that look alike.
REPEAT_RATE = 0.3
# A share of US plates with stacked letters, a sticker or a symbol beside the text.
SIDE_MARK_RATE = 0.3
STATES = [
    "ALASKA",
    "CALIFORNIA",
    "TEXAS",
    "NEW YORK",
    "FLORIDA",
    "OHIO",
    "VIRGINIA",
    "OREGON",
    "IDAHO",
    "MARYLAND",
    "NEVADA",
    "ILLINOIS",
    "GEORGIA",
    "ARIZONA",
    "MONTANA",
    "UTAH",
    "IOWA",
    "KANSAS",
    "MAINE",
    "HAWAII",
    "WASHINGTON",
    "DELAWARE",
    "NEW JERSEY",
    "COLORADO",
]
# Slogans printed at the top of a plate whose state's name is at the bottom.
SLOGANS = ["LAND OF PLATES", "DRIVE SAFELY", "VISIT US", "EST 1889", "THE GREAT STATE"]
# Every state's (and DC's) name as its plates print it, by the postal code the state model uses.
STATE_NAMES = {
    "ak": "ALASKA", "al": "ALABAMA", "ar": "ARKANSAS", "az": "ARIZONA", "ca": "CALIFORNIA",
    "co": "COLORADO", "ct": "CONNECTICUT", "dc": "DISTRICT OF COLUMBIA", "de": "DELAWARE",
    "fl": "FLORIDA", "ga": "GEORGIA", "hi": "HAWAII", "ia": "IOWA", "id": "IDAHO",
    "il": "ILLINOIS", "in": "INDIANA", "ks": "KANSAS", "ky": "KENTUCKY", "la": "LOUISIANA",
    "ma": "MASSACHUSETTS", "md": "MARYLAND", "me": "MAINE", "mi": "MICHIGAN", "mn": "MINNESOTA",
    "mo": "MISSOURI", "ms": "MISSISSIPPI", "mt": "MONTANA", "nc": "NORTH CAROLINA",
    "nd": "NORTH DAKOTA", "ne": "NEBRASKA", "nh": "NEW HAMPSHIRE", "nj": "NEW JERSEY",
    "nm": "NEW MEXICO", "nv": "NEVADA", "ny": "NEW YORK", "oh": "OHIO", "ok": "OKLAHOMA",
    "or": "OREGON", "pa": "PENNSYLVANIA", "ri": "RHODE ISLAND", "sc": "SOUTH CAROLINA",
    "sd": "SOUTH DAKOTA", "tn": "TENNESSEE", "tx": "TEXAS", "ut": "UTAH", "va": "VIRGINIA",
    "vt": "VERMONT", "wa": "WASHINGTON", "wi": "WISCONSIN", "wv": "WEST VIRGINIA", "wy": "WYOMING",
}  # fmt: skip


@dataclass(frozen=True)
class Plate:
    """A rendered plate: the image (BGR) and its text."""

    image: np.ndarray
    text: str
    style: str


def find_fonts(names: list[str]) -> list[Path]:
    """Find the installed font files among names. Exit with the missing ones named when any is
    not installed: a recipe's synthetic plates depend on every font it lists."""
    found, missing = [], []
    for name in names:
        hits = [hit for root in FONT_DIRS for hit in sorted(root.rglob(name))]
        if hits:
            found.append(hits[0])
        else:
            missing.append(name)
    if missing:
        raise SystemExit(
            f"plate fonts not installed: {', '.join(missing)}; "
            "install the Debian fonts that training/README.md lists"
        )
    return found


class PlateRenderer:
    """Render random plates; every draw comes from the seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.fonts = find_fonts(PLATE_FONTS)
        self.header_fonts = find_fonts(HEADER_FONTS)
        self._cache: dict[tuple[Path, int], ImageFont.FreeTypeFont] = {}

    def _font(self, path: Path, size: int) -> ImageFont.FreeTypeFont:
        key = (path, size)
        if key not in self._cache:
            self._cache[key] = ImageFont.truetype(str(path), size)
        return self._cache[key]

    def _text(self, patterns: list[str]) -> str:
        pattern = patterns[self.rng.integers(len(patterns))]
        out = []
        for p in pattern:
            pool = {"L": LETTERS, "D": DIGITS}.get(p, LETTERS + DIGITS)
            out.append(pool[self.rng.integers(len(pool))])
        if self.rng.random() < REPEAT_RATE:
            self._repeat(pattern, out)
        return "".join(out)

    def _repeat(self, pattern: str, out: list[str]) -> None:
        """Copy one character over the next one to three of its kind ("AAA", "000")."""
        start = int(self.rng.integers(len(out) - 1))
        for j in range(start + 1, min(len(out), start + 1 + int(self.rng.integers(1, 4)))):
            if pattern[j] != pattern[start] and "X" not in (pattern[j], pattern[start]):
                break
            out[j] = out[start]

    def _colors(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        r = self.rng
        if r.random() < 0.8:
            bg = tuple(int(v) for v in r.integers(170, 256, 3))
            fg = tuple(int(v) for v in r.integers(0, 90, 3))
        else:
            bg = tuple(int(v) for v in r.integers(0, 90, 3))
            fg = tuple(int(v) for v in r.integers(180, 256, 3))
        return bg, fg

    def render(self) -> Plate:
        """Render one plate of a random style."""
        u = self.rng.random()
        if u < 0.55:
            return self._render("us", 2.0, US_PATTERNS)
        if u < 0.8:
            return self._render("eu", 4.5, EU_PATTERNS)
        return self._render("br", 3.1, BR_PATTERNS)

    def render_state(self, code: str) -> Plate:
        """Render one US plate of the state with this postal code: its name at the top (or, one
        time in four, at the bottom), always printed. render()'s draws are left as they were."""
        return self._render("us", 2.0, US_PATTERNS, STATE_NAMES[code])

    def _render(
        self, style: str, aspect: float, patterns: list[str], state: str | None = None
    ) -> Plate:
        r = self.rng
        text = self._text(patterns)
        h = 120
        w = int(h * aspect * r.uniform(0.92, 1.08))
        bg, fg = self._colors()
        img = Image.new("RGB", (w, h), bg)
        draw = ImageDraw.Draw(img)
        if r.random() < 0.5:  # a colour gradient or band behind the text, as on many US plates
            band = tuple(int(v) for v in np.clip(np.array(bg) + r.integers(-60, 60, 3), 0, 255))
            y0 = int(r.integers(0, h // 2))
            draw.rectangle([0, y0, w, y0 + int(r.integers(10, h // 2))], fill=band)
        if r.random() < 0.4:  # scenery behind the text, in colours close to the plate's
            for _ in range(int(r.integers(1, 5))):
                tint = tuple(int(v) for v in np.clip(np.array(bg) + r.integers(-70, 70, 3), 0, 255))
                cx, cy = int(r.integers(0, w)), int(r.integers(0, h))
                rx, ry = int(r.integers(10, w // 2)), int(r.integers(5, h // 2))
                draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=tint)
        left = 0
        if style == "eu" and r.random() < 0.7:
            left = int(h * 0.32)
            draw.rectangle([0, 0, left, h], fill=(int(r.integers(120, 200)), 40, 20))
        header_h = 0
        bottom = None  # a state's name printed at the bottom instead of the top
        if (style in ("us", "br") and r.random() < 0.85) or state:
            header_h = int(h * (0.22 if style == "us" else 0.16))
            hf = self._font(self.header_fonts[r.integers(len(self.header_fonts))], header_h)
            name = STATES[r.integers(len(STATES))] if style == "us" else "BR-CIDADE"
            color = fg if r.random() < 0.5 else (160, 30, 30)
            if state is None:
                tw = draw.textlength(name, font=hf)
                draw.text(((w - tw) / 2, 2), name, font=hf, fill=color)
            else:
                bottom = state if r.random() < 0.25 else None
                top = SLOGANS[r.integers(len(SLOGANS))] if bottom else state
                self._header(draw, top, hf, (w, 2), color)
        if (style == "us" and r.random() < 0.6) or bottom:
            fh = int(h * (0.17 if bottom else 0.13))
            small = self._font(self.header_fonts[0], fh)
            if bottom:
                self._header(draw, bottom, small, (w, h - fh - 6), fg)
            else:
                draw.text((w * 0.2, h - fh - 4), "LAND OF PLATES", font=small, fill=fg)
        # The plate text: rendered big, then squeezed into the free area.
        font = self._font(self.fonts[r.integers(len(self.fonts))], 100)
        shown = text
        if r.random() < 0.5 and len(text) >= 5:
            cut = int(r.integers(2, len(text) - 1))
            shown = text[:cut] + (" ", "-", "·", "  ")[r.integers(4)] + text[cut:]
        bbox = draw.textbbox((0, 0), shown, font=font)
        tw, th = bbox[2] - bbox[0], bbox[3] - bbox[1]
        glyphs = Image.new("L", (tw + 8, th + 8), 0)
        ImageDraw.Draw(glyphs).text((4 - bbox[0], 4 - bbox[1]), shown, font=font, fill=255)
        area_h = h - header_h - int(h * 0.12)
        text_h = int(area_h * r.uniform(0.62, 0.9))
        marks = style == "us" and r.random() < SIDE_MARK_RATE
        fill = r.uniform(0.58, 0.78) if marks else r.uniform(0.72, 0.94)  # leave the marks room
        text_w = min(int((w - left) * fill), int(tw * text_h / th * r.uniform(0.8, 1.3)))
        glyphs = glyphs.resize((max(text_w, 8), max(text_h, 8)))
        x0 = left + (w - left - text_w) // 2 + int(r.integers(-4, 5))
        y0 = header_h + (area_h - text_h) // 2 + int(r.integers(0, 6))
        img.paste(Image.new("RGB", glyphs.size, fg), (x0, y0), glyphs)
        if r.random() < 0.25:
            self._edge_marks(draw, fg, (x0, y0, text_w, text_h), w)
        if marks:
            self._side_marks(draw, fg, (x0, y0, text_w, text_h), w, h)
        if r.random() < 0.7:
            draw.rounded_rectangle(
                [1, 1, w - 2, h - 2], radius=10, outline=fg, width=int(r.integers(1, 5))
            )
        if r.random() < 0.5:  # bolts
            for bx in (w * 0.2, w * 0.8):
                draw.ellipse([bx - 5, 8, bx + 5, 18], fill=(120, 120, 120))
        out = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
        return Plate(self._dirt(out), text, style)

    def _header(
        self,
        draw: ImageDraw.ImageDraw,
        name: str,
        font: ImageFont.FreeTypeFont,
        at: tuple[int, int],
        fill: tuple[int, ...],
    ) -> None:
        """Draw name centred across a plate of width at[0], at height at[1], squeezed to fit."""
        w, y = at
        tw = draw.textlength(name, font=font)
        if tw <= w * 0.94:
            draw.text(((w - tw) / 2, y), name, font=font, fill=fill)
            return
        glyphs = Image.new("L", (int(tw) + 4, font.size + 8), 0)
        ImageDraw.Draw(glyphs).text((2, 0), name, font=font, fill=255)
        glyphs = glyphs.resize((int(w * 0.94), glyphs.height))
        draw.bitmap((int(w * 0.03), y), glyphs, fill=fill)

    def _edge_marks(
        self, draw: ImageDraw.ImageDraw, fg: tuple[int, ...], text: tuple[int, ...], w: int
    ) -> None:
        """Draw a bar or frame edge, or a bolt, just beside the text: marks that are not an "I".

        A bar reaches past the text's top and bottom, as frame edges do: one no taller than the
        text would be an "I" or a "1", and teaching that it is not one loses real ones.
        """
        r = self.rng
        x0, y0, tw, th = text
        gap = int(r.integers(2, 10))
        x = x0 - gap - 4 if r.random() < 0.5 else x0 + tw + gap
        x = int(np.clip(x, 0, w - 6))
        if r.random() < 0.6:
            top = y0 - int(r.integers(th // 8, th // 3))
            bottom = y0 + th + int(r.integers(th // 8, th // 3))
            draw.rectangle([x, top, x + int(r.integers(2, 7)), bottom], fill=fg)
        else:
            cy = int(r.integers(y0, y0 + th))
            draw.ellipse([x - 4, cy - 5, x + 6, cy + 5], fill=(120, 120, 120))

    def _side_marks(
        self,
        draw: ImageDraw.ImageDraw,
        fg: tuple[int, ...],
        text: tuple[int, ...],
        w: int,
        h: int,
    ) -> None:
        """Draw what US plates carry beside the text and is not read: stacked letters, a sticker
        with a number, a symbol."""
        r = self.rng
        x0, y0, tw, th = text
        size = int(h * r.uniform(0.13, 0.2))
        left = r.random() < 0.5
        x = max(1, x0 - size - int(r.integers(2, 8))) if left else min(w - size, x0 + tw + 4)
        kind = r.random()
        if kind < 0.5:  # two stacked letters or digits ("PC", "LR", a county number)
            small = self._font(self.fonts[r.integers(len(self.fonts))], size)
            pool = LETTERS if r.random() < 0.7 else DIGITS
            for k, ch in enumerate(r.choice(list(pool), 2)):
                draw.text((x, y0 + k * size * 1.1), str(ch), font=small, fill=fg)
        elif kind < 0.8:  # a registration sticker with a month or year on it
            sy = y0 + int(r.integers(-size, th // 2))
            tint = tuple(int(v) for v in r.integers(0, 256, 3))
            draw.rectangle([x, sy, x + int(size * 1.4), sy + size], fill=tint)
            small = self._font(self.header_fonts[0], int(size * 0.8))
            draw.text((x + 2, sy), f"{int(r.integers(1, 100)):02d}", font=small, fill=fg)
        else:  # a symbol: a seated figure in a wheel, or a heart
            cy = y0 + th // 2
            draw.ellipse([x, cy, x + size, cy + size], outline=fg, width=2)
            draw.ellipse([x + size // 3, cy - size, x + size // 2 + 3, cy - size // 2], fill=fg)
            draw.line(
                [x + size // 2, cy - size // 2, x + size // 2, cy + size // 2], fill=fg, width=3
            )

    def _dirt(self, img: np.ndarray) -> np.ndarray:
        r = self.rng
        if r.random() < 0.3:
            mask = np.zeros(img.shape[:2], np.float32)
            for _ in range(int(r.integers(1, 6))):
                c = (int(r.integers(img.shape[1])), int(r.integers(img.shape[0])))
                cv2.circle(mask, c, int(r.integers(3, 20)), float(r.uniform(0.2, 0.6)), -1)
            mask = cv2.GaussianBlur(mask, (0, 0), 4)[..., None]
            img = (img * (1 - mask) + 60 * mask).astype(np.uint8)
        return img


def perspective(
    img: np.ndarray, rng: np.random.Generator, amount: float
) -> tuple[np.ndarray, np.ndarray]:
    """Warp img by a random perspective; return the warped image and the plate's corners in it."""
    h, w = img.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-amount, amount, (4, 2)) * np.float32([w, h])
    shear = rng.uniform(-0.15, 0.15) * h
    dst = src + jitter + np.float32([[shear, 0], [shear, 0], [0, 0], [0, 0]])
    dst -= dst.min(axis=0)
    size = (int(np.ceil(dst[:, 0].max())) + 1, int(np.ceil(dst[:, 1].max())) + 1)
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(
        img, m, size, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)
    )
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, size)
    return np.dstack([warped, mask]), dst


def degrade(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Add blur, noise, contrast changes, glare, infrared look and JPEG artefacts."""
    out = img.astype(np.float32)
    if rng.random() < 0.3:  # glare
        h, w = out.shape[:2]
        g = np.zeros((h, w), np.float32)
        cv2.ellipse(
            g,
            (int(rng.integers(w)), int(rng.integers(h))),
            (int(w * 0.3) + 1, int(h * 0.2) + 1),
            float(rng.uniform(0, 180)),
            0,
            360,
            float(rng.uniform(60, 160)),
            -1,
        )
        g = cv2.GaussianBlur(g, (0, 0), max(w, h) * 0.05 + 1)
        out += g[..., None] if out.ndim == 3 else g
    a, b = rng.uniform(0.5, 1.4), rng.uniform(-60, 50)
    out = out * a + b
    if rng.random() < 0.5:
        k = rng.uniform(0.3, 1.2)
        out = cv2.GaussianBlur(out, (0, 0), k)
    if rng.random() < 0.2:  # motion blur
        n = int(rng.integers(3, 7))
        kern = np.zeros((n, n), np.float32)
        kern[n // 2] = 1.0 / n
        out = cv2.filter2D(out, -1, kern)
    out += rng.normal(0, rng.uniform(0, 12), out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.6:
        q = int(rng.integers(20, 90))
        out = cv2.imdecode(
            cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_UNCHANGED
        )
    return out
