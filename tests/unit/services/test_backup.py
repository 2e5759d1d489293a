"""A backup of a running system restores into a new folder whose images read back; a changed one
is refused, and only an administrator takes one, on the record."""

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from tests.conftest import POSTGRES_URL
from tests.factories import CAMERA_FEED, CUSTODIAN, OFFICER, actor, new_read, plate_image

from platewarden.policy.access import Role
from platewarden.services import search
from platewarden.services.backup import (
    PG_FILE,
    SQLITE_FILE,
    back_up,
    restore_backup,
    verify_backup,
)
from platewarden.services.errors import AccessDeniedError, InvalidInputError, ServiceError
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime, open_runtime
from platewarden.settings import Settings, sqlite_url
from platewarden.store.schema import audit_log

INVESTIGATOR = actor(Role.INVESTIGATOR, name="investigator")


@pytest.fixture
def restored_settings(runtime: Runtime, tmp_path: Path) -> Iterator[Settings]:
    """Settings of a new installation of the runtime's kind: an empty folder and database."""
    data = tmp_path / "restored"
    url = make_url(runtime.settings.database_url)
    if url.get_backend_name() == "sqlite":
        yield Settings(data_dir=data, database_url=sqlite_url(data))
        return
    name = f"pw_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield Settings(data_dir=data, database_url=url.set(database=name).render_as_string(False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_taken_during_ingest_restores_and_its_images_read_back(
    runtime: Runtime, restored_settings: Settings, tmp_path: Path
) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("ABC1234", with_images=True)])
    stop = threading.Event()

    def keep_ingesting() -> None:  # the system runs while the backup is taken
        while not stop.is_set():
            ingest_reads(runtime, CAMERA_FEED, [new_read("XYZ987", with_images=True)])

    writer = threading.Thread(target=keep_ingesting)
    writer.start()
    try:
        done = back_up(
            runtime, CUSTODIAN, destination=tmp_path / "usb" / "b1", keys_destination=tmp_path / "k"
        )
    finally:
        stop.set()
        writer.join()
    assert done.images >= 2 and sorted(p.name for p in done.keys_destination.iterdir()) == [
        "master.key",
        "service.key",
    ]
    assert not list(done.destination.rglob("*.key")), "the keys lie apart from the images"
    assert verify_backup(done.destination, done.keys_destination).ok

    result = restore_backup(
        restored_settings, source=done.destination, keys_source=done.keys_destination, by="op"
    )
    assert result.days_checked == 1 and result.images == done.images
    rt = open_runtime(restored_settings)
    try:
        found = search.search_reads(
            rt,
            INVESTIGATOR,
            search.SearchQuery(purpose="stolen_vehicle", case_number="C-1", plate="ABC1234"),
        )
        (read,) = found.reads
        crop = search.read_image(
            rt,
            INVESTIGATOR,
            read_id=read.id,
            which="crop",
            purpose="stolen_vehicle",
            case_number="C-1",
        )
        assert crop == plate_image("ABC1234", ext=".png")
        with rt.engine.connect() as conn:
            actions = list(conn.scalars(select(audit_log.c.action).order_by(audit_log.c.id)))
    finally:
        rt.close()
    assert actions[-3:] == ["restore", "query_plate", "view_image"]


def test_the_backup_is_on_the_audit_record_with_its_manifest_hash(
    runtime: Runtime, tmp_path: Path
) -> None:
    done = back_up(runtime, CUSTODIAN, destination=tmp_path / "b", keys_destination=tmp_path / "k")
    with runtime.engine.connect() as conn:
        row = conn.execute(
            select(audit_log.c.actor, audit_log.c.parameters).where(audit_log.c.action == "backup")
        ).one()
    assert row.actor == "custodian"
    assert row.parameters["manifest_sha256"] == done.manifest_sha256


def test_a_changed_image_or_key_is_named_and_nothing_is_restored(
    runtime: Runtime, restored_settings: Settings, tmp_path: Path
) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("ABC1234", with_images=True)])
    done = back_up(runtime, CUSTODIAN, destination=tmp_path / "b", keys_destination=tmp_path / "k")
    image = sorted((done.destination / "images").rglob("*"))[-1]
    data = image.read_bytes()
    image.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # always a change
    (done.keys_destination / "service.key").write_text("not the key\n")
    with pytest.raises(InvalidInputError) as refused:
        restore_backup(
            restored_settings, source=done.destination, keys_source=done.keys_destination, by="op"
        )
    assert image.relative_to(done.destination).as_posix() in str(refused.value)
    assert "k/service.key: changed" in str(refused.value)
    assert not restored_settings.data_dir.exists()


def test_restore_refuses_a_data_folder_in_use(runtime: Runtime, tmp_path: Path) -> None:
    done = back_up(runtime, CUSTODIAN, destination=tmp_path / "b", keys_destination=tmp_path / "k")
    with pytest.raises(InvalidInputError, match="is not empty"):
        restore_backup(
            runtime.settings, source=done.destination, keys_source=done.keys_destination, by="op"
        )


def test_only_an_administrator_backs_up_and_the_keys_must_lie_apart(
    runtime: Runtime, tmp_path: Path
) -> None:
    with pytest.raises(AccessDeniedError, match="backup needs one of the roles administrator"):
        back_up(runtime, OFFICER, destination=tmp_path / "b", keys_destination=tmp_path / "k")
    with pytest.raises(InvalidInputError, match="apart from the backup folder"):
        back_up(
            runtime, CUSTODIAN, destination=tmp_path / "b", keys_destination=tmp_path / "b" / "k"
        )
    assert not (tmp_path / "b").exists()


def test_the_database_copy_is_the_kind_of_the_installation(
    runtime: Runtime, tmp_path: Path
) -> None:
    done = back_up(runtime, CUSTODIAN, destination=tmp_path / "b", keys_destination=tmp_path / "k")
    expected = SQLITE_FILE if done.database == "sqlite" else PG_FILE
    assert sorted(
        p.relative_to(done.destination).as_posix() for p in done.destination.rglob("*.*")
    ) == [
        expected,
        "manifest.json",
    ]
    assert oct(done.destination.stat().st_mode & 0o777) == "0o700"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # PostgreSQL only
def test_without_pg_dump_a_postgresql_backup_says_so_and_writes_nothing(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runtime.engine.dialect.name == "postgresql"
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ServiceError, match="pg_dump is not on PATH"):
        back_up(runtime, CUSTODIAN, destination=tmp_path / "b", keys_destination=tmp_path / "k")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
