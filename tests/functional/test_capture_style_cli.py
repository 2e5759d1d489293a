"""`capture` stamps photos with their EXIF capture time, and takes --region and --json as `read`."""

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest
from PIL import Image

from tests.functional.conftest import Run
from tests.unit.vision.synthetic import make_scene

DENVER = ZoneInfo("America/Denver")


def photo(path: Path, image: np.ndarray, taken: str | None) -> Path:
    """Write a JPEG as a camera would, with DateTimeOriginal when given."""
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
    out = io.BytesIO()
    Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)).save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def captured_at(run: Run, plate: str) -> datetime:
    found = run("search", "--purpose", "major_crime", "--case", "26-9", "--plate", plate, "--json")
    assert found.exit_code == 0, found.output
    rows = [json.loads(line) for line in found.output.splitlines() if line.startswith("{")]
    assert len(rows) == 1, found.output
    return datetime.fromisoformat(rows[0]["captured_at"])


def test_a_photo_is_stored_at_its_exif_time_in_the_departments_zone(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATEWARDEN_TIMEZONE", "America/Denver")
    assert run("camera", "add", "gate-1").exit_code == 0
    rng = np.random.default_rng(11)
    with_time, without = make_scene(rng), make_scene(rng)
    taken = (datetime.now(DENVER) - timedelta(days=2)).replace(microsecond=0)
    photo(tmp_path / "a.jpg", with_time.image, f"{taken:%Y:%m:%d %H:%M:%S}")
    photo(tmp_path / "b.jpg", without.image, None)

    result = run("capture", tmp_path, "--camera", "gate-1")

    assert result.exit_code == 0, result.output
    assert captured_at(run, with_time.text) == taken.astimezone(UTC)
    told = " ".join(result.output.split())
    assert "warning: 1 images carry no EXIF capture time (b.jpg)" in told
    assert "file's modified time" in told


def test_capture_prints_json_lines_and_takes_a_region(run: Run, tmp_path: Path) -> None:
    assert run("camera", "add", "gate-1").exit_code == 0
    scene = make_scene(np.random.default_rng(12))
    photo(tmp_path / "a.jpg", scene.image, None)
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    at = datetime.now(UTC).isoformat()

    result = run("capture", tmp_path, "--camera", "gate-1", "--at", at, "--json", "--region", "br")

    assert result.exit_code == 1  # as without --json: not everything could be read
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == {"kind": "error", "source": "broken.jpg", "error": rows[0]["error"]}
    assert rows[-1] | {"alerts": []} == {
        "kind": "images",
        "images": 2,
        "plates": 1,
        "stored": 1,
        "already_stored": 0,
        "alerts": [],
        "not_readable": 1,
        "refused": 0,
        "dropped_texts": 0,
    }
    unknown = run("capture", tmp_path, "--camera", "gate-1", "--region", "mars")
    assert unknown.exit_code == 2 and "mars" in unknown.output
