"""`platewarden report` end to end: the yearly report's files and the public page."""

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from platewarden.cli import report as report_cli
from tests.factories import OFFICER
from tests.functional.conftest import Run

DENVER = ZoneInfo("America/Denver")
NOW = datetime.now(UTC).replace(microsecond=0)
PLATES = ("RPT0001", "RPT0002", "RPT0003")


def imported(run: Run, folder: Path) -> None:
    """Import three reads captured now from another system."""
    rows = [
        {"read_id": f"r{n}", "plate": plate, "captured_at": NOW.isoformat(), "confidence": 0.9}
        for n, plate in enumerate(PLATES)
    ]
    path = folder / "reads.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = run("ingest", path, "--source", "county-alpr")
    assert result.exit_code == 0, result.output


def test_a_year_without_activity_writes_every_file_and_says_so(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "2025"
    result = run("report", "yearly", "2025", "--to", out, "--timezone", "America/Denver")
    assert result.exit_code == 0, result.output
    assert "no activity was recorded in 2025" in result.output
    assert {"report.html", "report.pdf", "reads_by_month.png", "reads_by_month.csv"} <= {
        p.name for p in out.iterdir()
    }
    assert "No activity was recorded in 2025" in (out / "report.html").read_text()


def test_this_years_report_counts_the_imported_reads(run: Run, tmp_path: Path) -> None:
    imported(run, tmp_path)
    year = NOW.astimezone(DENVER).year
    out = tmp_path / "report"
    result = run("report", "yearly", year, "--to", out, "--timezone", "America/Denver")
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out / "report.pdf").pages)
    assert f"recorded 3 plate reads in {year}" in text
    assert f"{year} is not over" in text
    assert "other systems (imported reads),3" in (out / "reads_by_camera.csv").read_text()


def test_the_public_page_counts_reads_and_names_no_plate(run: Run, tmp_path: Path) -> None:
    imported(run, tmp_path)
    result = run("report", "transparency", "--to", tmp_path / "public")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "public" / "index.html").read_text()
    assert '<tr><th>plates read</th><td class="n">3</td></tr>' in html
    assert [plate for plate in PLATES if plate in html] == []


def test_a_bad_time_zone_is_refused(run: Run, tmp_path: Path) -> None:
    result = run("report", "yearly", "2025", "--to", tmp_path, "--timezone", "Mars/Olympus")
    assert result.exit_code == 1
    assert "'Mars/Olympus' is not a known time zone" in result.output


def test_an_officer_is_refused(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_cli, "console_actor", lambda _rt: OFFICER)
    result = run("report", "transparency", "--to", tmp_path / "public")
    assert result.exit_code == 1
    assert "view_reports" in result.output
    assert not (tmp_path / "public").exists()
