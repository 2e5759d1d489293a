"""An export is all or nothing, owner-only, and verifiable against the store's record of it."""

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from tests.factories import CAMERA_FEED, CUSTODIAN, OFFICER, actor, new_read

from platewarden.domain import HoldKind
from platewarden.policy.access import Role
from platewarden.selection import ReadSelection
from platewarden.services import export, holds
from platewarden.services.errors import AccessDeniedError, InvalidInputError, NotFoundError
from platewarden.services.export import export_hold, verify_export, verify_recorded_export
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store.reads import find_reads
from platewarden.store.schema import audit_log, exports


@pytest.fixture
def hold_id(runtime: Runtime) -> int:
    ingest_reads(runtime, CAMERA_FEED, [new_read("ABC1234", with_images=True)])
    return holds.create_hold(
        runtime,
        CUSTODIAN,
        kind=HoldKind.EVIDENCE,
        purpose="stolen_vehicle",
        case_number="26-0042",
        reason="stolen vehicle recovered",
        selection=ReadSelection(plates=("ABC1234",)),
    ).id


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    """An empty folder to export into (tmp_path also holds the instance's data)."""
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def export_rows(rt: Runtime) -> tuple[int, int]:
    """Return how many exports are recorded, and how many export audit entries."""
    with rt.engine.connect() as conn:
        recorded = conn.scalar(select(func.count()).select_from(exports))
        audited = conn.scalar(select(func.count()).where(audit_log.c.action == "export_evidence"))
    return recorded or 0, audited or 0


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("9" * 80, "is 80 characters; at most 64 are kept"),
        ("E-1\nE-2", "holds control characters"),
        ("   ", "is required"),
        ("E-\udcff", "is not UTF-8 text"),
    ],
)
def test_an_evidence_number_the_store_cannot_keep_is_refused_before_writing(
    runtime: Runtime, hold_id: int, usb: Path, number: str, problem: str
) -> None:
    out = usb / "E"
    with pytest.raises(InvalidInputError, match=f"evidence number: {problem}"):
        export_hold(runtime, CUSTODIAN, hold_id=hold_id, evidence_number=number, destination=out)
    assert list(usb.iterdir()) == []
    assert export_rows(runtime) == (0, 0)


def test_a_failed_record_leaves_no_package_and_no_record(
    runtime: Runtime, hold_id: int, usb: Path
) -> None:
    out = usb / "E-5"

    def record_then_fail(conn: Connection, manifest_sha: str) -> None:
        conn.execute(
            insert(exports).values(
                hold_id=hold_id,
                evidence_number="E-5",
                exported_by="custodian",
                exported_at=runtime.clock.now(),
                destination=str(out),
                read_count=1,
                manifest_sha256=manifest_sha,
            )
        )
        raise RuntimeError("the database went away")

    with runtime.engine.connect() as conn:
        reads = find_reads(conn, hold_id=hold_id)
    with pytest.raises(RuntimeError, match="went away"):
        export.write_package(runtime, out, reads, {}, record_package=record_then_fail)
    assert list(usb.iterdir()) == []
    assert export_rows(runtime) == (0, 0)


@pytest.mark.parametrize("where", [".", "..", "/"])
def test_the_current_folder_and_those_above_it_are_refused(
    runtime: Runtime,
    hold_id: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    here = tmp_path / "empty"
    here.mkdir()
    monkeypatch.chdir(here)
    with pytest.raises(InvalidInputError, match=r"destination: .* is the current folder or holds"):
        export_hold(
            runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-1", destination=Path(where)
        )
    assert list(here.iterdir()) == []
    assert export_rows(runtime) == (0, 0)


def test_a_destination_under_a_file_is_refused_in_one_line(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(InvalidInputError, match="Not a directory"):
        export_hold(
            runtime,
            CUSTODIAN,
            hold_id=hold_id,
            evidence_number="E-1",
            destination=tmp_path / "file" / "E-1",
        )
    assert export_rows(runtime) == (0, 0)


def test_a_relative_destination_is_recorded_as_absolute(
    runtime: Runtime, hold_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = export_hold(
        runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-1", destination=Path("E-1")
    )
    assert result.destination == tmp_path.resolve() / "E-1"
    with runtime.engine.connect() as conn:
        assert conn.scalar(select(exports.c.destination)) == str(tmp_path.resolve() / "E-1")
    assert export_rows(runtime) == (1, 1)


def test_an_export_is_owner_only_under_umask_0(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    before = os.umask(0)
    try:
        export_hold(
            runtime,
            CUSTODIAN,
            hold_id=hold_id,
            evidence_number="E-1",
            destination=tmp_path / "usb" / "E-1",
        )
    finally:
        os.umask(before)
    made = [tmp_path / "usb", *(tmp_path / "usb").rglob("*")]
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in made}
    assert modes == {p.name: 0o700 if p.is_dir() else 0o600 for p in made}
    # usb, E-1, images/, a frame and a crop, two CSV/JSON, custody, the sheet, manifest
    assert len(made) == 10


def test_a_hold_id_beyond_the_column_is_no_such_hold(runtime: Runtime, tmp_path: Path) -> None:
    for wild in (99999999999999999999, 2**40, -5, 0):
        with pytest.raises(NotFoundError, match=f"there is no hold {wild}"):
            holds.get_hold(runtime, CUSTODIAN, hold_id=wild)
        with pytest.raises(NotFoundError, match=f"there is no hold {wild}"):
            holds.release_hold(runtime, CUSTODIAN, hold_id=wild, reason="wrong id")
        with pytest.raises(NotFoundError, match=f"there is no hold {wild}"):
            export_hold(
                runtime, CUSTODIAN, hold_id=wild, evidence_number="E-1", destination=tmp_path / "x"
            )


def test_a_read_id_beyond_the_column_is_not_stored(runtime: Runtime) -> None:
    with pytest.raises(InvalidInputError, match=r"not stored .*99999999999999999999"):
        holds.create_hold(
            runtime,
            CUSTODIAN,
            kind=HoldKind.EVIDENCE,
            purpose="stolen_vehicle",
            case_number="26-0042",
            reason="typed the wrong id",
            selection=ReadSelection(read_ids=(99999999999999999999, -1)),
        )


def test_a_regenerated_manifest_is_not_on_record(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "E-9"
    made = export_hold(runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-9", destination=out)
    honest = verify_recorded_export(runtime, actor(Role.INVESTIGATOR), out)
    assert honest.ok and honest.record is not None
    assert (honest.record.kind, honest.record.label) == ("evidence export", "E-9")

    # Someone edits reads.csv and writes the manifest again: every file matches the new one.
    (out / "reads.csv").write_text("id,plate\n1,XYZ999\n")
    (out / "manifest.json").unlink()
    files = {
        f.relative_to(out).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in out.rglob("*")
        if f.is_file()
    }
    (out / "manifest.json").write_bytes(export._manifest(files))
    forged = verify_recorded_export(runtime, actor(Role.AUDITOR), out)
    assert forged.ok
    assert forged.record is None
    assert forged.manifest_sha256 != made.manifest_sha256


def test_verifying_needs_a_member_who_may_view_holds(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "E-9"
    export_hold(runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-9", destination=out)
    with pytest.raises(AccessDeniedError, match="view_holds needs one of the roles"):
        verify_recorded_export(runtime, OFFICER, out)


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        (b'{"files": 5}', 'is not an object with "algorithm": "sha256"'),
        (b'{"algorithm": "sha256", "files": 5}', 'has no "files" object'),
        (b"[1, 2]", 'is not an object with "algorithm"'),
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b"{not json", "is not JSON"),
        (b"[" * 200_000, "is nested too deeply|is not JSON"),
        (
            b'{"algorithm": "sha256", "files": {"../../etc/passwd": "' + b"0" * 64 + b'"}}',
            "'../../etc/passwd' is not a file name inside the folder",
        ),
        (
            b'{"algorithm": "sha256", "files": {"/etc/passwd": "' + b"0" * 64 + b'"}}',
            "'/etc/passwd' is not a file name inside the folder",
        ),
        (b'{"algorithm": "sha256", "files": {"reads.csv": 7}}', "'reads.csv' has no SHA-256"),
    ],
)
def test_a_manifest_of_the_wrong_shape_is_one_clear_refusal(
    tmp_path: Path, manifest: bytes, problem: str
) -> None:
    (tmp_path / "manifest.json").write_bytes(manifest)
    with pytest.raises(InvalidInputError, match=problem):
        verify_export(tmp_path)


def test_a_huge_manifest_is_refused_without_reading_it_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "MANIFEST_MAX_BYTES", 1000)
    (tmp_path / "manifest.json").write_bytes(json.dumps({"pad": "x" * 2000}).encode())
    with pytest.raises(InvalidInputError, match="is larger than"):
        verify_export(tmp_path)


def test_a_manifest_that_is_not_a_file_is_missing(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").mkdir()
    with pytest.raises(InvalidInputError, match="is not an export"):
        verify_export(tmp_path)
    with pytest.raises(InvalidInputError, match="is not an export"):
        verify_export(tmp_path / "nowhere")
