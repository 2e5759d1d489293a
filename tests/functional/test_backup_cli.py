"""`platewarden backup` and `restore` end to end: a new folder opens and its images read back."""

import json
from pathlib import Path

import pytest

from platewarden.settings import sqlite_url
from tests.factories import plate_image
from tests.functional.conftest import Run
from tests.functional.test_cli import NOW, reads_file


def with_crop(folder: Path) -> Path:
    """Write a reads file of one read with a frame and a plate crop."""
    (folder / "frame.jpg").write_bytes(plate_image("CRP123", (320, 180)))
    (folder / "crop.png").write_bytes(plate_image("CRP123", ext=".png"))
    row = {
        "read_id": "c1",
        "plate": "CRP123",
        "captured_at": NOW.isoformat(),
        "image": "frame.jpg",
        "crop": "crop.png",
    }
    path = folder / "crop.jsonl"
    path.write_text(json.dumps(row) + "\n")
    return path


def test_backup_restores_into_a_new_folder_whose_images_read_back(
    run: Run, cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("ingest", reads_file(tmp_path, 2, images=True), "--source", "county-alpr")
    run("ingest", with_crop(tmp_path), "--source", "county-alpr")
    done = run("backup", "--to", tmp_path / "usb" / "backup")
    assert done.exit_code == 0, done.output
    assert "database and 4 images" in done.output
    assert f"the keys are in {tmp_path / 'usb' / 'backup-keys'}" in " ".join(done.output.split())
    checked = run("restore", "--from", tmp_path / "usb" / "backup", "--check")
    assert "matches its manifest" in checked.output, checked.output
    if "postgresql" in cli_env["PLATEWARDEN_DATABASE_URL"]:
        return  # a PostgreSQL restore needs a new database: tests/unit/services/test_backup.py

    restored = tmp_path / "restored"
    monkeypatch.setenv("PLATEWARDEN_DATA_DIR", str(restored))
    monkeypatch.setenv("PLATEWARDEN_DATABASE_URL", sqlite_url(restored))
    result = run("restore", "--from", tmp_path / "usb" / "backup")
    assert result.exit_code == 0, result.output
    assert "4 images; one image of each of 1 days read back" in result.output
    found = run(
        "search", "--purpose", "stolen_vehicle", "--case", "C-1", "--plate", "CRP123",
        "--images", tmp_path / "seen",
    )  # fmt: skip
    assert found.exit_code == 0, found.output
    seen = {p.read_bytes() for p in (tmp_path / "seen").rglob("*") if p.is_file()}
    assert seen == {(tmp_path / "crop.png").read_bytes()}

    again = run("restore", "--from", tmp_path / "usb" / "backup")
    assert again.exit_code == 1 and "is not empty" in again.output


def test_a_tampered_backup_is_refused_and_nothing_restored(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("ingest", reads_file(tmp_path, 1, images=True), "--source", "county-alpr")
    assert run("backup", "--to", tmp_path / "b", "--keys-to", tmp_path / "safe").exit_code == 0
    image = next(p for p in (tmp_path / "b" / "images").rglob("*") if p.is_file())
    image.write_bytes(b"\0" + image.read_bytes()[1:])
    restored = tmp_path / "restored"
    monkeypatch.setenv("PLATEWARDEN_DATA_DIR", str(restored))
    monkeypatch.setenv("PLATEWARDEN_DATABASE_URL", sqlite_url(restored))
    refused = run("restore", "--from", tmp_path / "b", "--keys-from", tmp_path / "safe")
    assert refused.exit_code == 1
    assert "does not match its manifest" in refused.output and "changed" in refused.output
    assert "Traceback" not in refused.output
    assert not restored.exists()
    assert (
        run(
            "restore", "--from", tmp_path / "b", "--check", "--keys-from", tmp_path / "safe"
        ).exit_code
        == 1
    )
