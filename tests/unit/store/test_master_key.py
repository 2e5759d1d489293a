"""The master key is never silently replaced, and no decryption failure is a traceback."""

import pytest
from tests.factories import CAMERA_FEED, new_read

from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime, open_runtime
from platewarden.settings import Settings
from platewarden.store.blobs import BlobTamperedError, MasterKeyError
from platewarden.store.reads import find_reads


def stored_images(rt: Runtime) -> list[str]:
    ingest_reads(rt, CAMERA_FEED, [new_read(with_images=True)])
    with rt.engine.connect() as conn:
        read = find_reads(conn)[0]
    assert read.crop_blob and read.frame_blob
    return [read.crop_blob, read.frame_blob]


def test_a_missing_master_key_with_stored_images_stops_start_up(
    runtime: Runtime, settings: Settings
) -> None:
    stored_images(runtime)
    runtime.close()
    settings.master_key_file.unlink()
    with pytest.raises(MasterKeyError) as refused:
        open_runtime(settings)
    message = str(refused.value)
    assert str(settings.master_key_file) in message
    assert "1 image day keys" in message
    assert "restore master.key from its backup" in message
    assert not settings.master_key_file.exists()


def test_a_missing_master_key_on_a_database_with_nothing_sealed_is_made(
    runtime: Runtime, settings: Settings
) -> None:
    runtime.close()
    settings.master_key_file.unlink()
    open_runtime(settings).close()
    assert len(settings.master_key_file.read_bytes()) == 32


def test_a_different_master_key_stops_start_up(runtime: Runtime, settings: Settings) -> None:
    stored_images(runtime)
    runtime.close()
    settings.master_key_file.write_bytes(bytes(32))
    with pytest.raises(MasterKeyError, match="is not the key this database was set up with"):
        open_runtime(settings)


def test_a_damaged_master_key_is_named(runtime: Runtime, settings: Settings) -> None:
    runtime.close()
    settings.master_key_file.write_bytes(b"short")
    with pytest.raises(MasterKeyError, match=r"master.key is damaged: expected 32 bytes, found 5"):
        open_runtime(settings)


@pytest.mark.parametrize("damage", [b"", b"\x01" * 5, b"\x01" * 40])
def test_a_damaged_blob_file_names_the_image(runtime: Runtime, damage: bytes) -> None:
    crop, _ = stored_images(runtime)
    (runtime.blobs.root / crop).write_bytes(damage)
    with pytest.raises(BlobTamperedError, match=f"image {crop} failed its integrity check"):
        runtime.blobs.get(crop)


def test_a_day_key_the_master_key_does_not_open_names_the_image(runtime: Runtime) -> None:
    crop, _ = stored_images(runtime)
    # Another process's store with a different master key: what a swapped key file gives.
    other = type(runtime.blobs)(runtime.blobs.root, runtime.engine, bytes(32))
    with pytest.raises(MasterKeyError, match=f"image {crop} cannot be decrypted"):
        other.get(crop)


def test_an_unreadable_blob_file_names_the_image(runtime: Runtime) -> None:
    crop, _ = stored_images(runtime)
    path = runtime.blobs.root / crop
    path.unlink()
    path.mkdir()
    with pytest.raises(Exception, match=f"image {crop} cannot be read") as refused:
        runtime.blobs.get(crop)
    assert type(refused.value).__name__ == "BlobError"


def test_a_damaged_sealed_secret_is_named(runtime: Runtime) -> None:
    with pytest.raises(BlobTamperedError, match="sealed secret for totp:1"):
        runtime.blobs.unseal(b"short", "totp:1")
