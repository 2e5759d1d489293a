"""Image ids are packed for the reads table and read back exactly as they were."""

import pytest

from platewarden.store.image_ids import pack_image_id, unpack_image_id

DIGEST = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    "image_id",
    [
        f"2026-12-03/{DIGEST}",  # the image store's form: packed
        f"0001-01-01/{DIGEST}",  # the first day an ordinal has
        f"2026-13-45/{DIGEST}",  # no calendar day: kept as text
        f"2026-12-03/{DIGEST.upper()}",  # not the store's lower-case hex: kept as text
        "elsewhere/frame-7.jpg",
        "",
    ],
)
def test_an_image_id_comes_back_as_it_went_in(image_id: str) -> None:
    assert unpack_image_id(pack_image_id(image_id)) == image_id


def test_the_image_stores_ids_take_36_bytes() -> None:
    assert len(pack_image_id(f"2026-12-03/{DIGEST}")) == 36
    assert len(pack_image_id(f"2026-13-45/{DIGEST}")) == 1 + 75
