"""`platewarden capture` with the packaged models on rendered scenes."""

from pathlib import Path

import cv2
import numpy as np

from tests.functional.conftest import Run
from tests.unit.vision.conftest import make_scene


def test_capture_reads_scenes_and_reports_a_bad_file(run: Run, tmp_path: Path) -> None:
    assert run("camera", "add", "gate-1").exit_code == 0
    rng = np.random.default_rng(5)
    scenes = [make_scene(rng) for _ in range(3)]
    for n, scene in enumerate(scenes):
        cv2.imwrite(str(tmp_path / f"frame{n}.jpg"), scene.image)
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    result = run("capture", tmp_path, "--camera", "gate-1", "--at", "2026-11-28T10:00:00+00:00")
    assert result.exit_code == 0, result.output
    assert "skipped broken.jpg" in result.output
    assert "4 images:" in result.output
    told = " ".join(result.output.split())
    assert "4 images: 3 plates read, 3 stored" in told  # the packaged models read these scenes
    for scene in scenes:  # and the reads are there under their plates
        held = run(
            "hold",
            "create",
            "--kind",
            "evidence",
            "--purpose",
            "major_crime",
            "--case",
            "26-1",
            "--reason",
            "test",
            "--plate",
            scene.text,
        )
        assert "1 reads kept" in held.output, (scene.text, held.output)
