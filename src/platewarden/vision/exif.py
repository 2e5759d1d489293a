"""When a camera says it took a photo: the EXIF capture time (DateTimeOriginal) in its image.

Pillow reads the EXIF block without decoding the pixels. A file copied off a camera's card
carries the copy's modified time, so the photo's own time is the one to store.
"""

import io
import re
from datetime import datetime, timedelta, timezone, tzinfo

from PIL import Image, UnidentifiedImageError

EXIF_IFD = 0x8769  # the pointer from the first image directory to the Exif directory
DATE_TIME_ORIGINAL = 0x9003  # "YYYY:MM:DD HH:MM:SS", the camera's clock, no zone
OFFSET_TIME_ORIGINAL = 0x9011  # "+HH:MM", where the camera wrote one (EXIF 2.31)
OFFSET = re.compile(r"([+-])(\d\d):(\d\d)")


def exif_capture_time(data: bytes, zone: tzinfo | None) -> datetime | None:
    """Return the image's EXIF capture time, or None where it has none (or a broken one).

    A time without its own offset is taken in `zone` (None: this computer's), the zone the
    department sets its cameras' clocks to.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif().get_ifd(EXIF_IFD)
            text, offset = exif.get(DATE_TIME_ORIGINAL), exif.get(OFFSET_TIME_ORIGINAL)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None  # not an image Pillow knows, or an EXIF block it cannot follow
    if not isinstance(text, str):
        return None
    try:
        taken = datetime.strptime(text.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:  # "0000:00:00 00:00:00" from a camera whose clock was never set
        return None
    found = OFFSET.fullmatch(offset.strip("\x00 ")) if isinstance(offset, str) else None
    if found:
        sign, hours, minutes = found.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        return taken.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    return taken.replace(tzinfo=zone) if zone is not None else taken.astimezone()
