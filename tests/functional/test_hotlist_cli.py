"""The hot-list and alert commands end to end: load, refresh, hit, confirm, outcome."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from tests.factories import plate_image
from tests.functional.conftest import Run

NOW = datetime.now(UTC).replace(microsecond=0)


def write_read(folder: Path, plate: str, read_id: str, state: str = "MT") -> Path:
    (folder / f"{read_id}.png").write_bytes(plate_image(plate, ext=".png"))
    row = {
        "read_id": read_id,
        "plate": plate,
        "captured_at": NOW.isoformat(),
        "confidence": 0.9,
        "jurisdiction": state,
        "crop": f"{read_id}.png",
    }
    path = folder / f"{read_id}.jsonl"
    path.write_text(json.dumps(row) + "\n")
    return path


def test_a_hit_goes_from_load_to_confirmed_outcome(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "ncic.txt"
    feed.write_text(
        "LIC|LIS|TYP|NIC\nSTL4411|MT|Stolen Vehicle|V998877\nBAD#1|MT|stolen vehicle|\n"
    )
    loaded = run("hotlist", "import", feed, "--source", "ncic")
    assert loaded.exit_code == 0, loaded.output
    assert "version 1 with 1 entries, 1 rows skipped" in loaded.output
    assert "line 3: plate 'BAD#1'" in loaded.output

    assert run("ingest", write_read(tmp_path, "STL4411", "r1"), "--source", "county").exit_code == 0
    listed = run("alerts", "list")
    assert "STL4411" in listed.output and "new" in listed.output

    shown = run("alerts", "show", "1", "--images", tmp_path / "look")
    told = " ".join(shown.output.split())
    assert "entry 1: STL4411 MT · Stolen vehicle · ncic · case - · NCIC V998877" in told, told
    assert "read STL4411, entry STL4411: exact match" in told
    assert re.search(r"seen 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d \w+ by county \(import\)", told)
    assert (tmp_path / "look" / "alert-1-crop.png").exists()

    early = run("alerts", "confirm", "1", "--how", "NCIC", "--answer", "valid")
    assert early.exit_code == 1
    assert "compare the captured plate image" in early.output
    assert "visually_confirmed" in run("alerts", "confirm", "1", "--visual").output
    assert (
        "is confirmed" in run("alerts", "confirm", "1", "--how", "NCIC", "--answer", "valid").output
    )
    history = " ".join(run("alerts", "show", "1").output.split())
    assert "other confirmation (how: NCIC; answer: valid)" in history
    assert "{" not in history  # steps read as words, not as Python dicts
    assert (
        "outcome vehicle_recovered"
        in run("alerts", "outcome", "1", "--outcome", "vehicle_recovered").output
    )


def test_manual_partial_plate_and_refused_patterns(run: Run, tmp_path: Path) -> None:
    run("ingest", write_read(tmp_path, "7KQ4411", "r1"), "--source", "county")
    added = run("hotlist", "add", "7KQ*11", "--purpose", "major_crime", "--case", "26-0417")
    assert "1 historical alerts raised" in added.output, added.output
    refused = run("hotlist", "add", "*", "--purpose", "major_crime", "--case", "26-0417")
    assert refused.exit_code == 1
    assert "plate:" in refused.output
    no_case = run("hotlist", "add", "ABC123", "--purpose", "major_crime", "--case", "")
    assert "a case number is required" in no_case.output


def test_status_flags_a_source_whose_refresh_failed(run: Run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PLATEWARDEN_HOTLIST_SOURCES", f"state={tmp_path / 'missing.csv'}")
    refreshed = run("hotlist", "refresh")
    assert "state: refresh failed, the last good version stays in use" in refreshed.output
    assert refreshed.exit_code == 1  # a failed refresh is not a success to a script
    status = " ".join(run("hotlist", "status").output.split())
    assert "STALE" in status and "last refresh failed" in status
