"""A read's image ids as the reads table keeps them: 36 bytes instead of 76 characters.

The image store names an image `YYYY-MM-DD/<SHA-256 in hex>` (store.blobs). In the reads table
that id is packed as a marker byte, the day's ordinal in three bytes and the digest's 32 bytes;
the two ids were 152 bytes of each camera read's row of about 400. Any other id (none is made
today) is kept as its text behind another marker, so that nothing stored is ever lost.
"""

import re
from datetime import date

from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_PACKED, _TEXT = b"\x01", b"\x00"
_IMAGE_ID = re.compile(r"(\d{4}-\d{2}-\d{2})/([0-9a-f]{64})")


def pack_image_id(image_id: str) -> bytes:
    """Return the column's bytes of an image id."""
    found = _IMAGE_ID.fullmatch(image_id)
    try:
        day = date.fromisoformat(found.group(1)) if found else None
    except ValueError:  # not a calendar day
        day = None
    if found is None or day is None:
        return _TEXT + image_id.encode()
    return _PACKED + day.toordinal().to_bytes(3, "big") + bytes.fromhex(found.group(2))


def unpack_image_id(value: bytes) -> str:
    """Return the image id of the column's bytes."""
    if value[:1] == _PACKED:
        day = date.fromordinal(int.from_bytes(value[1:4], "big"))
        return f"{day.isoformat()}/{value[4:].hex()}"
    return value[1:].decode()


class ImageId(TypeDecorator[str]):
    """An image id, packed by pack_image_id on the way in and unpacked on the way out."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        """Pack the id."""
        return None if value is None else pack_image_id(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        """Unpack the id."""
        return None if value is None else unpack_image_id(bytes(value))
