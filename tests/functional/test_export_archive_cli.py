"""`export --to FILE.zip` writes the archive the API downloads; verify-export checks it."""

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from tests.factories import plate_image
from tests.functional.conftest import Run


def test_a_hold_exported_as_a_zip_archive_is_verified(run: Run, tmp_path: Path) -> None:
    (tmp_path / "r.jpg").write_bytes(plate_image("ZIP123"))
    row = {
        "read_id": "z1",
        "plate": "ZIP123",
        "captured_at": datetime.now(UTC).isoformat(),
        "image": "r.jpg",
    }
    (tmp_path / "reads.jsonl").write_text(json.dumps(row) + "\n")
    assert run("ingest", tmp_path / "reads.jsonl", "--source", "county").exit_code == 0
    args = ("--kind", "evidence", "--purpose", "stolen_vehicle", "--case", "26-1", "--reason", "r")
    assert run("hold", "create", *args, "--plate", "ZIP123").exit_code == 0
    out = tmp_path / "E-8.zip"
    exported = run("export", "--hold", "1", "--to", out, "--evidence-number", "E-8")
    assert exported.exit_code == 0, exported.output
    assert "exported 1 reads and 1 images" in exported.output
    assert out.stat().st_mode & 0o077 == 0, "owner-only"
    checked = run("verify-export", out)
    # the image, reads.csv, reads.json, custody.json and the evidence sheet
    assert "all 5 files match the manifest" in checked.output, checked.output
    again = run("export", "--hold", "1", "--to", out, "--evidence-number", "E-8")
    assert again.exit_code != 0, "an existing file is not replaced"

    with zipfile.ZipFile(out) as old, zipfile.ZipFile(tmp_path / "forged.zip", "w") as new:
        for name in old.namelist():
            new.writestr(name, b"[]" if name == "reads.json" else old.read(name))
    failed = run("verify-export", tmp_path / "forged.zip")
    assert failed.exit_code == 1
    assert "changed: reads.json" in failed.output
