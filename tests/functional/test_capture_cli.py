"""`platewarden capture` with the packaged models on rendered scenes."""

from pathlib import Path

import cv2
import numpy as np

from tests.functional.conftest import Run
from tests.unit.vision.synthetic import make_scene, write_video


def test_capture_reads_scenes_and_reports_a_bad_file(run: Run, tmp_path: Path) -> None:
    assert run("camera", "add", "gate-1").exit_code == 0
    rng = np.random.default_rng(5)
    scenes = [make_scene(rng) for _ in range(3)]
    for n, scene in enumerate(scenes):
        cv2.imwrite(str(tmp_path / f"frame{n}.jpg"), scene.image)
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    result = run("capture", tmp_path, "--camera", "gate-1", "--at", "2026-11-28T10:00:00+00:00")
    assert result.exit_code == 1, result.output  # stored what it could, and says not all
    assert "skipped broken.jpg" in result.output
    told = " ".join(result.output.split())
    assert "4 images: 3 plates read, 3 stored, 0 alerts, 1 not readable" in told
    again = " ".join(
        run("capture", *tmp_path.glob("frame*.jpg"), "--camera", "gate-1").output.split()
    )
    assert "0 stored (3 already stored: captured before)" in again
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


def test_capture_of_a_video_stores_one_read_per_pass_with_its_frame(
    run: Run, tmp_path: Path
) -> None:
    assert run("camera", "add", "unit-7", "--kind", "mobile").exit_code == 0
    scene = make_scene(np.random.default_rng(11))
    write_video(tmp_path / "dashcam.avi", scene, frames=8)
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    command = (
        "capture",
        tmp_path / "dashcam.avi",
        tmp_path / "broken.mp4",
        "--camera",
        "unit-7",
        "--at",
        "2026-11-28T09:00:00+00:00",
    )
    result = run(*command)
    assert result.exit_code == 1, result.output  # one video could not be opened
    told = " ".join(result.output.split())
    assert "8 frames (0 skipped to keep up), 1 vehicle passes, 1 stored" in told
    assert "skipped" in told and "broken.mp4" in told
    again = " ".join(run(*command).output.split())
    assert "1 vehicle passes, 0 stored" in again  # the same pass sent again is not stored twice
    out = tmp_path / "evidence"
    held = run(
        "hold",
        "create",
        "--kind",
        "evidence",
        "--purpose",
        "major_crime",
        "--case",
        "26-2",
        "--reason",
        "dashcam",
        "--plate",
        scene.text,
    )
    assert "1 reads kept" in held.output, (scene.text, held.output)
    exported = run("export", "--hold", "1", "--to", out, "--evidence-number", "E-9")
    assert "exported 1 reads and 2 images" in " ".join(exported.output.split())


def test_capture_reports_a_file_too_large_and_a_name_that_is_not_a_file(
    run: Run, tmp_path: Path
) -> None:
    """A capture read every file whole, however large, and left out a missing name unsaid."""
    assert run("camera", "add", "gate-1").exit_code == 0
    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as file:
        file.truncate(21 * 2**20)  # sparse: 21 MB on disk costs nothing
    result = run("capture", huge, "--camera", "gate-1", "--at", "2026-11-28")
    assert result.exit_code == 1, result.output
    told = " ".join(result.output.split())
    assert "skipped huge.jpg:" in told and "is over 20 MB" in told
    assert "1 images: 0 plates read, 0 stored, 0 alerts, 1 not readable" in told
    missing = run("capture", huge, tmp_path / "missing.jpg", "--camera", "gate-1")
    assert missing.exit_code == 1
    told = " ".join(missing.output.split())
    assert "no such file or folder:" in told and "missing.jpg" in told
    assert "images:" not in told  # nothing is read when a name is wrong


def test_an_unknown_camera_is_refused_before_any_file_is_read(run: Run, tmp_path: Path) -> None:
    scene = make_scene(np.random.default_rng(3))
    cv2.imwrite(str(tmp_path / "frame.jpg"), scene.image)
    result = run("capture", tmp_path, "--camera", "nope")
    assert result.exit_code == 1
    told = " ".join(result.output.split())
    assert "there is no camera 'nope'" in told and "images:" not in told


def test_read_says_when_an_image_has_no_plate(run: Run, tmp_path: Path) -> None:
    blank = tmp_path / "blank.jpg"
    cv2.imwrite(str(blank), np.full((480, 640, 3), 128, np.uint8))
    said = run("read", blank)
    assert said.exit_code == 0 and "blank.jpg: no plate found" in said.output
    assert run("read", blank, "--json").output == ""  # machines get one object a plate
