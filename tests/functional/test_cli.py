"""The command line end to end: import, holds, purge, export and verification."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from platewarden.cli.main import app
from platewarden.policy.model import DEFAULT_POLICY_FILE
from platewarden.services.runtime import open_runtime
from platewarden.settings import get_settings
from platewarden.store.audit import audit_entries
from tests.factories import plate_image
from tests.functional.conftest import Run

NOW = datetime.now(UTC).replace(microsecond=0)


def reads_file(folder: Path, count: int, *, images: bool = False, prefix: str = "x") -> Path:
    """Write a JSON lines file of reads from another system."""
    lines = []
    for n in range(count):
        row = {
            "read_id": f"{prefix}{n}",
            "plate": f"TST{n:04d}",
            "captured_at": (NOW - timedelta(minutes=n)).isoformat(),
            "confidence": 0.9,
            "jurisdiction": "MT",
            "latitude": 46.6,
            "longitude": -112.0,
            "alternatives": [[f"TST{n:04d}", 0.9], [f"T5T{n:04d}", 0.05]],
        }
        if images:
            (folder / f"{prefix}{n}.jpg").write_bytes(plate_image(f"TST{n:04d}"))
            row["image"] = f"{prefix}{n}.jpg"
        lines.append(json.dumps(row))
    path = folder / f"{prefix}.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("platewarden ")


def test_import_twice_stores_once(run: Run, tmp_path: Path) -> None:
    path = reads_file(tmp_path, 5, images=True)
    first = run("ingest", path, "--source", "county-alpr")
    assert first.exit_code == 0, first.output
    assert "5 rows: 5 stored, 0 already stored, 0 skipped" in first.output
    again = run("ingest", path, "--source", "county-alpr")
    assert "5 rows: 0 stored, 5 already stored" in again.output


def test_csv_import_with_alternatives(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "reads.csv"
    path.write_text(
        "read_id,plate,captured_at,confidence,alternatives\n"
        f"c1,ABC123,{NOW.isoformat()},0.8,ABC123:0.8;A8C123:0.1\n"
    )
    result = run("ingest", path, "--source", "state-network", "--agency")
    assert "1 rows: 1 stored" in result.output, result.output


def test_bad_rows_are_named_by_line_and_nothing_is_stored(run: Run, tmp_path: Path) -> None:
    good = reads_file(tmp_path, 2)
    lines = good.read_text().splitlines()
    (tmp_path / "not-a-photo.jpg").write_text("hello")
    bad_rows = [
        "{not json",
        json.dumps({"read_id": "b1", "plate": "AB1", "captured_at": "yesterday"}),
        json.dumps(
            {"read_id": "b2", "plate": "AB2", "captured_at": NOW.isoformat(), "camera": "ghost"}
        ),
        json.dumps(
            {"read_id": "b3", "plate": "AB3", "captured_at": (NOW + timedelta(days=1)).isoformat()}
        ),
        json.dumps(
            {
                "read_id": "b4",
                "plate": "AB4",
                "captured_at": NOW.isoformat(),
                "image": "not-a-photo.jpg",
            }
        ),
        json.dumps({"plate": "AB5", "captured_at": NOW.isoformat()}),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([lines[0], *bad_rows, lines[1]]) + "\n")

    refused = run("ingest", path, "--source", "county-alpr")
    assert refused.exit_code == 1
    for expected in (
        "line 2: not valid JSON",
        "line 3: captured_at 'yesterday' is not an ISO 8601 time",
        "line 4: unknown camera 'ghost'",
        "line 5: capture time",
        "line 6: frame image is not a whole JPEG or PNG image",
        "line 7: missing read_id",
    ):
        assert expected in refused.output, refused.output
    assert "0 stored" not in refused.output

    skipped = run("ingest", path, "--source", "county-alpr", "--skip-bad")
    assert skipped.exit_code == 0, skipped.output
    assert "8 rows: 2 stored, 0 already stored, 6 skipped" in skipped.output


def test_hold_export_and_verify(run: Run, tmp_path: Path) -> None:
    run("ingest", reads_file(tmp_path, 3, images=True), "--source", "county-alpr")
    created = run(
        "hold",
        "create",
        "--kind",
        "evidence",
        "--purpose",
        "stolen_vehicle",
        "--case",
        "26-0099",
        "--reason",
        "recovered stolen car",
        "--plate",
        "tst0001",
    )
    assert "hold 1 placed for case 26-0099: 1 reads kept" in created.output, created.output
    assert "26-0099" in run("hold", "list").output
    assert "recovered stolen car" in run("hold", "show", "1").output

    out = tmp_path / "evidence"
    exported = run("export", "--hold", "1", "--to", out, "--evidence-number", "E-7")
    assert exported.exit_code == 0, exported.output
    assert "exported 1 reads and 1 images" in exported.output
    assert "all 5 files match the manifest" in run("verify-export", out).output

    (out / "reads.json").write_text("[]")
    failed = run("verify-export", out)
    assert failed.exit_code == 1
    assert "changed: reads.json" in failed.output


def test_preservation_hold_names_missing_sworn_fields(run: Run) -> None:
    result = run(
        "hold",
        "create",
        "--kind",
        "preservation",
        "--purpose",
        "wanted_person",
        "--case",
        "MP-1",
        "--reason",
        "missing person",
        "--plate",
        "ABC1",
        "--agency",
        "Helena PD",
    )
    assert result.exit_code == 1
    for field in ("requesting_person", "camera_locations", "time_frames", "facts"):
        assert f"preservation.{field}: is required" in result.output


def test_purge_dry_run_then_purge_history(run: Run) -> None:
    result = run("purge", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would purge 0 reads" in result.output
    assert "yes" in run("purge-runs").output


def test_invalid_policy_file_stops_start_up(run: Run, tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text('agency = "X"\n[retention]\ndays = -5\n')
    monkeypatch.setenv("PLATEWARDEN_POLICY_FILE", str(bad))
    result = run("purge", "--dry-run")
    assert result.exit_code == 2
    assert "retention.days: Input should be greater than or equal to 1" in result.output


def test_unknown_database_is_refused(run: Run, monkeypatch) -> None:
    monkeypatch.setenv("PLATEWARDEN_DATABASE_URL", "mysql://localhost/x")
    result = run("hold", "list")
    assert result.exit_code == 2
    assert "unsupported database 'mysql'" in result.output


def test_demo_runs_on_a_fresh_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(tmp_path / "demo"), "--no-serve"])
    assert result.exit_code == 0, result.output
    told = " ".join(result.output.split())  # as read, whatever the terminal's width
    assert "1 kept by the hold" in told
    assert "changed ['reads.csv']" in told
    assert "Audit trail: intact." in told


def test_cameras_are_added_listed_and_taken_out_of_service(run: Run) -> None:
    added = run(
        "camera",
        "add",
        "north-gate",
        "--kind",
        "mobile",
        "--location",
        "N. Gate",
        "--latitude",
        "46.6",
        "--longitude",
        "-112.0",
        "--heading",
        "90",
    )
    assert "camera north-gate added (mobile" in added.output, added.output
    assert run("camera", "set-status", "north-gate", "out_of_service").exit_code == 0
    assert "out_of_service" in run("camera", "list").output
    duplicate = run("camera", "add", "north-gate")
    assert duplicate.exit_code == 1
    assert "a camera with this name exists" in duplicate.output
    missing = run("camera", "set-status", "nowhere", "active")
    assert "there is no camera 'nowhere'" in missing.output


def test_a_policy_file_in_the_callers_environment_is_ignored_once_a_policy_is_in_force(
    run: Run, tmp_path: Path, monkeypatch
) -> None:
    run("hold", "list")  # the first start puts the packaged policy in force
    hostile = tmp_path / "policy.toml"
    hostile.write_text(DEFAULT_POLICY_FILE.read_text("utf-8").replace("days = 90", "days = 1"))
    monkeypatch.setenv("PLATEWARDEN_POLICY_FILE", str(hostile))
    listed = run("hold", "list")
    assert listed.exit_code == 0, listed.output
    assert "policy.toml in your settings is ignored: the policy in force is version 1" in (
        " ".join(listed.output.split())
    )
    shown = run("policy", "show")
    assert "# policy version 1" in shown.output
    assert "days = 90" in shown.output
    rt = open_runtime(get_settings())
    assert (rt.policy.retention.days, rt.policy_version) == (90, 1)
    rt.close()


def test_an_administrator_applies_a_policy_that_every_process_then_enforces(
    run: Run, tmp_path: Path
) -> None:
    run("hold", "list")
    changed = tmp_path / "policy.toml"
    changed.write_text(DEFAULT_POLICY_FILE.read_text("utf-8").replace("days = 90", "days = 60"))
    applied = run("policy", "apply", changed, "--reason", "council resolution 12", "--yes")
    assert applied.exit_code == 0, applied.output
    assert "retention.days: 90 -> 60" in applied.output
    assert "policy version 2 in force" in applied.output
    again = run("policy", "apply", changed, "--reason", "twice", "--yes")
    assert again.exit_code == 1
    assert "it changes nothing in force" in again.output
    history = run("policy", "history").output
    assert "council resolution 12" in history and "first start" in history
    rt = open_runtime(get_settings())
    assert (rt.policy.retention.days, rt.policy_version) == (60, 2)
    with rt.engine.connect() as conn:
        entries = [e for _, e in audit_entries(conn, action="policy_in_force")]
    rt.close()
    assert [e.reason for e in entries] == ["first start", "council resolution 12"]
    assert entries[1].parameters["changes"] == ["retention.days: 90 -> 60"]
    assert entries[1].parameters["sha256"] == hashlib.sha256(changed.read_bytes()).hexdigest()


def test_a_policy_with_wrong_types_or_an_untrained_role_is_not_applied(
    run: Run, tmp_path: Path
) -> None:
    run("hold", "list")
    text = DEFAULT_POLICY_FILE.read_text("utf-8")
    for broken, named in (
        (text.replace("days = 90", 'days = "90"'), "retention.days: Input should be a valid"),
        (
            text.replace("separate_reviewer = true", 'separate_reviewer = "yes"'),
            "sharing.separate_reviewer: Input should be a valid boolean",
        ),
        (
            text.replace('officer = "ALPR operator"\n', ""),
            "training.courses has no course for the roles: officer",
        ),
        (
            text.replace('totp_roles = ["administrator", "auditor"]', 'totp_roles = ["admin"]'),
            "access.totp_roles names unknown roles: admin",
        ),
    ):
        path = tmp_path / "broken.toml"
        path.write_text(broken)
        refused = run("policy", "apply", path, "--reason", "try", "--yes")
        assert refused.exit_code == 1, refused.output
        assert named in " ".join(refused.output.split())
    assert "days = 90" in run("policy", "show").output


def test_first_run_puts_the_agencys_policy_in_force_before_the_first_administrator(
    run: Run, tmp_path: Path
) -> None:
    agency = tmp_path / "agency.toml"
    agency.write_text(DEFAULT_POLICY_FILE.read_text("utf-8").replace("days = 90", "days = 30"))
    args = ["first-run", "--username", "chief", "--full-name", "C", "--course-completed"]
    created = CliRunner().invoke(
        app, [*args, "2026-01-05", "--policy", str(agency)], input="Tr0ub4dor&3-Helena\n" * 2
    )
    assert created.exit_code == 0, created.output
    assert "policy version 2 in force" in created.output
    again = CliRunner().invoke(
        app, [*args, "2026-01-05", "--policy", str(agency)], input="Tr0ub4dor&3-Helena\n" * 2
    )
    assert again.exit_code == 1
    assert "the first administrator exists already" in again.output
    rt = open_runtime(get_settings())
    assert (rt.policy.retention.days, rt.policy_version) == (30, 2)
    rt.close()
