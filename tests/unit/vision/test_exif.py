"""A photo's EXIF capture time: its own offset when written, else the department's zone."""

import io
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from PIL import Image

from platewarden.vision.exif import exif_capture_time

DENVER = ZoneInfo("America/Denver")


def jpeg(**tags: str) -> bytes:
    exif = Image.Exif()
    codes = {"taken": 0x9003, "offset": 0x9011}
    for name, value in tags.items():
        exif.get_ifd(0x8769)[codes[name]] = value
    out = io.BytesIO()
    Image.new("RGB", (16, 8)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_time_without_an_offset_is_in_the_departments_zone() -> None:
    taken = exif_capture_time(jpeg(taken="2026:11:02 08:15:30"), DENVER)
    assert taken == datetime(2026, 11, 2, 15, 15, 30, tzinfo=UTC)


def test_the_cameras_own_offset_wins() -> None:
    taken = exif_capture_time(jpeg(taken="2026:11:02 08:15:30", offset="+02:00"), DENVER)
    assert taken == datetime(2026, 11, 2, 8, 15, 30, tzinfo=timezone(timedelta(hours=2)))


def test_no_time_an_unset_clock_or_no_image_is_none() -> None:
    assert exif_capture_time(jpeg(), DENVER) is None
    assert exif_capture_time(jpeg(taken="0000:00:00 00:00:00"), DENVER) is None
    assert exif_capture_time(b"\xff\xd8 not really", DENVER) is None
