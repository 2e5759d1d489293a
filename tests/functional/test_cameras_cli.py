"""`platewarden camera list` shows when each camera was last heard from, and which are offline."""

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.functional.conftest import Run


def test_camera_list_marks_a_silent_camera_offline(run: Run, tmp_path: Path) -> None:
    for name in ("north-gate", "south-gate"):
        assert run("camera", "add", name).exit_code == 0
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    row = {
        "read_id": "n1",
        "plate": "ABC123",
        "captured_at": now.isoformat(),
        "camera": "north-gate",
    }
    (tmp_path / "reads.jsonl").write_text(json.dumps(row) + "\n")
    stored = run("ingest", tmp_path / "reads.jsonl", "--source", "north-gate")
    assert stored.exit_code == 0, stored.output
    listed = {line.split()[1]: line for line in run("camera", "list").output.splitlines()[3:-1]}
    assert f"{now.astimezone():%Y-%m-%d %H:%M}" in listed["north-gate"]
    assert "offline" not in listed["north-gate"]
    assert "never: offline" in listed["south-gate"]
