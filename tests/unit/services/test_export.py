"""Evidence export writes every file with its hash; verification names any file that changed."""

import csv
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.factories import CAMERA_FEED, CUSTODIAN, actor, new_read

from platewarden.domain import HoldKind, ReadSource
from platewarden.policy.access import Role
from platewarden.selection import ReadSelection
from platewarden.services import holds
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.export import export_hold, export_hold_archive, verify_export
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.settings import Settings

DENVER = "America/Denver"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings of a fresh instance of a department in Montana."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url, timezone=DENVER)


@pytest.fixture
def hold_id(runtime: Runtime) -> int:
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [
            new_read("ABC1234", with_images=True, latitude=46.590123456789012),
            new_read(
                "ABC1234",
                camera=None,
                source=ReadSource.IMPORT,
                source_name="State network",
                latitude=None,
                longitude=None,
            ),
            new_read("ZZZ999"),
        ],
    )
    return holds.create_hold(
        runtime,
        CUSTODIAN,
        kind=HoldKind.EVIDENCE,
        purpose="stolen_vehicle",
        case_number="26-0042",
        reason="stolen vehicle recovered",
        selection=ReadSelection(plates=("ABC1234",)),
    ).id


def test_export_writes_reads_images_manifest_and_custody(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "usb" / "E-100"
    result = export_hold(
        runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-100", destination=out
    )
    assert (result.read_count, result.image_count) == (2, 2)
    rows = list(csv.DictReader((out / "reads.csv").read_text().splitlines()))
    assert [r["plate"] for r in rows] == ["ABC1234", "ABC1234"]
    assert len(json.loads((out / "reads.json").read_text())) == 2
    custody = json.loads((out / "custody.json").read_text())
    assert custody["evidence_number"] == "E-100"
    assert custody["hold"]["case_number"] == "26-0042"
    assert custody["custody"][0]["by"] == "custodian"
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert set(listed) == {
        "reads.csv",
        "reads.json",
        "custody.json",
        "evidence_sheet.pdf",
        *(f"images/{p.name}" for p in (out / "images").iterdir()),
    }
    check = verify_export(out)
    assert check.ok and check.manifest_sha256 == result.manifest_sha256


def test_verify_names_changed_missing_and_added_files(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "E-101"
    export_hold(runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-101", destination=out)
    image = sorted((out / "images").iterdir())[0]
    image.write_bytes(image.read_bytes()[:-1] + b"\0")
    (out / "reads.json").unlink()
    (out / "notes.txt").write_text("added later")
    check = verify_export(out)
    assert not check.ok
    assert check.changed == [f"images/{image.name}"]
    assert check.missing == ["reads.json"]
    assert check.unexpected == ["notes.txt"]


def test_export_refuses_a_non_empty_destination(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(InvalidInputError, match="is not an empty folder"):
        export_hold(
            runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-1", destination=tmp_path
        )
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_a_tampered_image_stops_the_export_and_writes_nothing(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    for blob in runtime.blobs.root.rglob("*"):
        if blob.is_file():
            data = bytearray(blob.read_bytes())
            data[-5] ^= 0xFF
            blob.write_bytes(bytes(data))
    out = tmp_path / "E-102"
    with pytest.raises(InvalidInputError, match="failed its integrity check"):
        export_hold(runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-102", destination=out)
    assert not out.exists()
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())


def test_an_investigator_may_not_export(runtime: Runtime, hold_id: int, tmp_path: Path) -> None:
    with pytest.raises(
        AccessDeniedError, match="export_evidence needs one of the roles records_custodian"
    ):
        export_hold(
            runtime,
            actor(Role.INVESTIGATOR),
            hold_id=hold_id,
            evidence_number="E-1",
            destination=tmp_path / "x",
        )


def sheet_text(data: bytes) -> str:
    """Return a PDF's text, its lines joined by spaces."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_the_package_holds_a_printable_sheet_of_custody_and_reads(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "E-103"
    export_hold(runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-103", destination=out)
    sheet = (out / "evidence_sheet.pdf").read_bytes()
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert listed["evidence_sheet.pdf"] == hashlib.sha256(sheet).hexdigest()
    text = sheet_text(sheet)
    assert "Evidence number E-103" in text
    assert "Case number 26-0042" in text
    assert "Purpose Stolen vehicle" in text
    assert "hold 1 (evidence): stolen vehicle recovered" in text
    assert "Exported by custodian" in text
    assert "Exported at 2026-06-01 06:00:00 MDT" in text  # the department's zone, named
    assert "2 reads, 2 images" in text
    rows = json.loads((out / "reads.json").read_text())
    with_images, _imported = rows
    names = [with_images["frame_image"], with_images["crop_image"]]
    digests = [hashlib.sha256((out / name).read_bytes()).hexdigest() for name in names]
    assert (
        f"{with_images['id']} ABC1234 (MT) 2026-06-01 06:00:00 MDT cam-1 46.590123, -112.030000 "
        f"{' '.join(names)} {' '.join(digests)}"
    ) in text  # the read's row: its facts, its image files and their hashes in the same order
    assert "import: State network not recorded no image" in text
    assert "2026-06-01T12:00:00+00:00" in (out / "reads.csv").read_text()  # UTC there
    assert "ZZZ999" not in text  # not held


def test_the_archive_holds_the_same_sheet(runtime: Runtime, hold_id: int) -> None:
    made = export_hold_archive(runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-104")
    with made.stream, zipfile.ZipFile(made.stream) as archive:
        listed = json.loads(archive.read("manifest.json"))["files"]
        sheet = archive.read("evidence_sheet.pdf")
    assert listed["evidence_sheet.pdf"] == hashlib.sha256(sheet).hexdigest()
    assert "Evidence number E-104" in sheet_text(sheet)


def test_reads_csv_writes_positions_to_six_decimals(
    runtime: Runtime, hold_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "E-105"
    export_hold(runtime, CUSTODIAN, hold_id=hold_id, evidence_number="E-105", destination=out)
    rows = list(csv.DictReader((out / "reads.csv").read_text().splitlines()))
    assert [(r["latitude"], r["longitude"]) for r in rows] == [
        ("46.590123", "-112.030000"),
        ("", ""),
    ]
    assert re.fullmatch(r"-?\d+\.\d{6}", rows[0]["longitude"])
    # reads.json keeps the stored value as it is
    assert json.loads((out / "reads.json").read_text())[0]["latitude"] == 46.590123456789012
