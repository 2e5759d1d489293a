"""Everything Platewarden writes to disk is readable by its owner only, whatever the umask."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.factories import CAMERA_FEED, CUSTODIAN, FixedClock, new_read

from platewarden.domain import CameraKind
from platewarden.services import cameras
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import open_runtime, upgrade_schema
from platewarden.settings import Settings, sqlite_url
from platewarden.store.files import make_private_dir, open_private, write_private


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Run the test with umask 0: without care, every new file would be world-readable."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_a_new_instance_is_owner_only_under_umask_0(tmp_path: Path) -> None:
    data = tmp_path / "nested" / "data"
    settings = Settings(data_dir=data, database_url=sqlite_url(data))
    upgrade_schema(settings)
    rt = open_runtime(settings, clock=FixedClock())
    try:
        cameras.add_camera(rt, CUSTODIAN, name="cam-1", kind=CameraKind.FIXED, location="Main St")
        ingest_reads(rt, CAMERA_FEED, [new_read(with_images=True)])
        # The -wal and -shm files exist while a connection is open.
        files = [p for p in data.rglob("*") if p.is_file()]
        names = {p.name for p in files}
        assert {"platewarden.db", "platewarden.db-wal", "platewarden.db-shm", "master.key"} <= names
        assert len([p for p in files if p.parent.parent == data / "blobs"]) == 2
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
        folders = [tmp_path / "nested", data, *(p for p in data.rglob("*") if p.is_dir())]
        assert {str(p): mode(p) for p in folders} == {str(p): 0o700 for p in folders}
    finally:
        rt.close()


def test_an_existing_readable_database_and_data_folder_are_made_owner_only(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data, database_url=sqlite_url(data))
    upgrade_schema(settings)
    open_runtime(settings).close()
    for path in (data, data / "platewarden.db", data / "master.key"):
        path.chmod(0o755)
    open_runtime(settings).close()
    assert mode(data) == 0o700
    assert mode(data / "platewarden.db") == 0o700 & 0o755
    assert mode(data / "master.key") == 0o700 & 0o755


@pytest.mark.usefixtures("open_umask")
def test_private_writes_replace_a_readable_file_and_refuse_a_link(tmp_path: Path) -> None:
    folder = make_private_dir(tmp_path / "a" / "b")
    assert (mode(tmp_path / "a"), mode(folder)) == (0o700, 0o700)
    target = folder / "image.jpg"
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_private(target, b"new")
    assert (target.read_bytes(), mode(target)) == (b"new", 0o600)
    with open_private(folder / "reads.csv", "w", encoding="utf-8") as f:
        f.write("id\n")
    assert mode(folder / "reads.csv") == 0o600
    (folder / "elsewhere").symlink_to(tmp_path / "stolen")
    with pytest.raises(OSError):
        write_private(folder / "elsewhere", b"plates")
    assert not (tmp_path / "stolen").exists()


def test_a_folder_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OSError):
        make_private_dir(tmp_path / "file" / "data")
    with pytest.raises(NotADirectoryError):
        make_private_dir(tmp_path / "file")
