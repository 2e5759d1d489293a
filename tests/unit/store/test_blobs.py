"""The image store: encrypted at rest, content-addressed per day, tamper-evident, shreddable."""

import os
from datetime import date
from pathlib import Path

import pytest
from tests.factories import plate_image

from platewarden.store.blobs import BlobMissingError, BlobStore, BlobTamperedError, load_master_key
from platewarden.store.engine import make_engine
from platewarden.store.migrate import upgrade

DAY = date(2026, 6, 1)


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    engine = make_engine(f"sqlite:///{tmp_path}/b.db")
    upgrade(engine)
    return BlobStore(tmp_path / "blobs", engine, load_master_key(tmp_path / "master.key"))


def test_round_trip_and_same_image_is_stored_once(blobs: BlobStore) -> None:
    data = plate_image()
    blob_id = blobs.put(DAY, data)
    assert blobs.put(DAY, data) == blob_id
    assert blob_id.startswith("2026-06-01/")
    assert blobs.get(blob_id) == data
    assert len(list((blobs.root / "2026-06-01").iterdir())) == 1


def test_images_are_not_stored_in_the_clear(blobs: BlobStore) -> None:
    data = plate_image()
    blob_id = blobs.put(DAY, data)
    on_disk = (blobs.root / blob_id).read_bytes()
    assert data[100:164] not in on_disk


def test_a_changed_byte_is_detected_and_never_served(blobs: BlobStore) -> None:
    blob_id = blobs.put(DAY, plate_image())
    path = blobs.root / blob_id
    raw = bytearray(path.read_bytes())
    raw[40] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(BlobTamperedError, match="integrity"):
        blobs.get(blob_id)


def test_a_blob_swapped_for_another_days_blob_is_detected(blobs: BlobStore) -> None:
    first = blobs.put(DAY, plate_image("AAA111"))
    other = blobs.put(date(2026, 6, 2), plate_image("BBB222"))
    (blobs.root / first).write_bytes((blobs.root / other).read_bytes())
    with pytest.raises(BlobTamperedError):
        blobs.get(first)


def test_shredding_a_day_makes_a_backup_of_its_blobs_unreadable(
    blobs: BlobStore, tmp_path: Path
) -> None:
    blob_id = blobs.put(DAY, plate_image())
    backup = (blobs.root / blob_id).read_bytes()
    blobs.shred_day(DAY.isoformat())
    (blobs.root / blob_id).parent.mkdir(parents=True)
    (blobs.root / blob_id).write_bytes(backup)  # restored from a backup
    with pytest.raises(BlobMissingError, match="key was destroyed"):
        blobs.get(blob_id)


def test_a_damaged_master_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "master.key").write_bytes(b"short")
    with pytest.raises(Exception, match=r"master key file .* is damaged"):
        load_master_key(tmp_path / "master.key")


def test_half_written_files_of_a_killed_writer_are_swept(blobs: BlobStore) -> None:
    blob_id = blobs.put(DAY, plate_image())
    stale = blobs.root / "2026-06-01" / "abc.123.deadbeef.tmp"
    stale.write_bytes(b"half an image")
    fresh = blobs.root / "2026-06-01" / "def.456.cafebabe.tmp"
    fresh.write_bytes(b"being written now")
    os.utime(stale, (0, 0))
    assert blobs.sweep_partial() == 1
    assert not stale.exists() and fresh.exists()
    assert blobs.get(blob_id)
