"""No input breaks the command line: every refusal is one clear message, never a traceback."""

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from tests.functional.conftest import Run
from tests.functional.test_cli import reads_file
from tests.functional.test_hotlist_cli import write_read


def refused(result: Result, code: int, *expected: str) -> str:
    """Assert a clean refusal: the exit code, the messages, and no exception escaped."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for text in expected:
        assert text in " ".join(result.output.split()), result.output
    return result.output


@pytest.fixture
def open_umask() -> Iterator[None]:
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def exported(run: Run, tmp_path: Path) -> Path:
    """An evidence export of one read with its image."""
    assert run("ingest", reads_file(tmp_path, 2, images=True), "--source", "county").exit_code == 0
    held = run(
        "hold", "create", "--kind", "evidence", "--purpose", "stolen_vehicle", "--case", "26-1",
        "--reason", "recovered", "--plate", "TST0001",
    )  # fmt: skip
    assert held.exit_code == 0, held.output
    out = tmp_path / "usb" / "E-1"
    done = run("export", "--hold", "1", "--to", out, "--evidence-number", "E-1")
    assert done.exit_code == 0, done.output
    return out


@pytest.mark.parametrize("command", [("alerts", "show"), ("share", "show"), ("hold", "show")])
def test_show_of_an_id_beyond_the_store_is_refused_cleanly(
    run: Run, command: tuple[str, str]
) -> None:
    refused(run(*command, "99999999999999999999"), 2, "Invalid value", "2147483647")
    refused(run(*command, "--", "-5"), 2, "Invalid value", "greater than or equal to 1")


def test_export_of_a_hold_beyond_any_column_is_no_such_hold(run: Run, tmp_path: Path) -> None:
    for wild in ("99999999999999999999", "2147483648", "0"):
        out = run("export", "--hold", wild, "--to", tmp_path / "x", "--evidence-number", "E-1")
        refused(out, 1, f"there is no hold {wild}")


def test_an_export_with_an_evidence_number_too_long_writes_and_records_nothing(
    run: Run, exported: Path
) -> None:
    out = exported.parent / "E-2"
    result = run("export", "--hold", "1", "--to", out, "--evidence-number", "9" * 80)
    refused(result, 1, "evidence number: is 80 characters; at most 64 are kept")
    assert sorted(p.name for p in exported.parent.iterdir()) == ["E-1"]


def test_export_into_the_current_folder_is_refused(
    run: Run, exported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = exported.parent / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = run("export", "--hold", "1", "--to", ".", "--evidence-number", "E-3")
    refused(result, 1, "is the current folder or holds it")
    assert list(empty.iterdir()) == []


def test_verify_export_refuses_a_regenerated_manifest(run: Run, exported: Path) -> None:
    ok = run("verify-export", exported)
    assert ok.exit_code == 0, ok.output
    assert "on record: evidence export 1 (E-1)" in ok.output

    (exported / "reads.csv").write_text("id,plate\n1,XYZ999\n")
    manifest = json.loads((exported / "manifest.json").read_text())
    manifest["files"]["reads.csv"] = hashlib.sha256(b"id,plate\n1,XYZ999\n").hexdigest()
    (exported / "manifest.json").write_text(json.dumps(manifest))
    refused(run("verify-export", exported), 1, "not on record: no export or release")


@pytest.mark.parametrize(
    "manifest", [b'{"files": 5}', b"\xff\xfe\x00garbage", b"[" * 100_000, b"null"]
)
def test_verify_export_of_a_wrong_manifest_is_one_message(
    run: Run, tmp_path: Path, manifest: bytes
) -> None:
    (tmp_path / "manifest.json").write_bytes(manifest)
    refused(run("verify-export", tmp_path), 1, "refused:", "the manifest cannot be used")


def test_a_data_folder_that_cannot_be_made_is_one_message(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("PLATEWARDEN_DATA_DIR", str(tmp_path / "a-file" / "data"))
    refused(run("hold", "list"), 2, "cannot start:", "cannot create the data folder")


def test_a_garbage_database_url_is_one_message(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATEWARDEN_DATABASE_URL", "garbage")
    refused(run("hold", "list"), 2, "cannot start:", "the database URL is not understood")


def test_a_lost_master_key_stops_every_command_and_is_not_replaced(
    run: Run, exported: Path, cli_env: dict[str, str]
) -> None:
    key = Path(cli_env["PLATEWARDEN_DATA_DIR"]) / "master.key"
    key.unlink()
    for command in (("hold", "list"), ("alerts", "list")):
        refused(run(*command), 2, f"master key file {key} is missing", "restore master.key")
    assert not key.exists()


@pytest.mark.usefixtures("open_umask")
def test_images_saved_by_alerts_and_search_are_owner_only(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "ncic.txt"
    feed.write_text("LIC|LIS|TYP|NIC\nSTL4411|MT|Stolen Vehicle|V998877\n")
    assert run("hotlist", "import", feed, "--source", "ncic").exit_code == 0
    assert run("ingest", write_read(tmp_path, "STL4411", "r1"), "--source", "county").exit_code == 0

    shown = run("alerts", "show", "1", "--images", tmp_path / "look" / "alert")
    assert shown.exit_code == 0, shown.output
    found = run(
        "search", "--purpose", "stolen_vehicle", "--case", "26-1", "--plate", "STL4411",
        "--images", tmp_path / "look" / "search",
    )  # fmt: skip
    assert found.exit_code == 0, found.output
    saved = list((tmp_path / "look").rglob("*"))
    assert len([p for p in saved if p.is_file()]) == 2
    assert {str(p): mode(p) for p in saved} == {
        str(p): 0o700 if p.is_dir() else 0o600 for p in saved
    }


def test_images_into_a_folder_that_cannot_be_made_is_one_message(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "ncic.txt"
    feed.write_text("LIC|LIS|TYP|NIC\nSTL4411|MT|Stolen Vehicle|V998877\n")
    assert run("hotlist", "import", feed, "--source", "ncic").exit_code == 0
    assert run("ingest", write_read(tmp_path, "STL4411", "r1"), "--source", "county").exit_code == 0
    (tmp_path / "a-file").write_text("")
    result = run("alerts", "show", "1", "--images", tmp_path / "a-file" / "look")
    refused(result, 1, "not saved:", "Not a directory")
