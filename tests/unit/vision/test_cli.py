"""The `read` and `eval` commands: JSON schema, bad files in a batch, eval on a labelled folder."""

import json
from pathlib import Path

import cv2
import numpy as np
from tests.unit.vision.synthetic import write_video
from tests.unit.vision.test_state import state_plate
from typer.testing import CliRunner

from platewarden.cli.main import app

PLATE_KEYS = {
    "kind",
    "source",
    "plate",
    "confidence",
    "box",
    "corners",
    "alternatives",
    "jurisdiction",
    "jurisdiction_confidence",
}
EVAL_KEYS = {
    "benchmark",
    "set",
    "split",
    "mode",
    "images",
    "detection_recall",
    "top1",
    "top5",
    "char_accuracy",
    "jurisdiction_accuracy",
    "median_ms",
    "p95_ms",
    "misses",
}


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _write_set(folder: Path, scenes: list, crops: bool = False) -> None:
    folder.mkdir()
    rows = []
    for i, s in enumerate(scenes):
        name = f"img{i}.png"
        cv2.imwrite(str(folder / name), s.plate if crops else s.image)
        row = {"image": name, "plate": s.text}
        if not crops:
            row |= {"box": list(s.box), "width": 1280, "height": 720}
        rows.append(json.dumps(row))
    (folder / "truth.jsonl").write_text("\n".join(rows) + "\n")


def test_read_json_gives_one_object_per_plate_and_keeps_going_past_bad_files(
    tmp_path: Path, scenes: list
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.jpg"), scenes[0].image)
    (folder / "b.jpg").write_bytes(b"")
    cv2.imwrite(str(folder / "c.png"), scenes[3].image)
    result = CliRunner().invoke(app, ["read", str(folder), "--json"])
    assert result.exit_code == 1
    lines = _lines(result.output)
    errors = [x for x in lines if x["kind"] == "error"]
    plates = [x for x in lines if x["kind"] == "plate"]
    assert [Path(e["source"]).name for e in errors] == ["b.jpg"]
    assert {Path(p["source"]).name for p in plates} == {"a.jpg", "c.png"}
    for p in plates:
        assert set(p) == PLATE_KEYS
        assert len(p["box"]) == 4 and len(p["corners"]) == 4
        assert all(len(a) == 2 for a in p["alternatives"])


def test_read_missing_path_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["read", str(tmp_path / "none.jpg"), "--json"])
    assert result.exit_code == 1
    assert _lines(result.output)[0]["kind"] == "error"


def test_eval_json_reports_the_benchmark_line(tmp_path: Path, scenes: list) -> None:
    _write_set(tmp_path / "synth", scenes[:6])
    result = CliRunner().invoke(app, ["eval", str(tmp_path / "synth"), "--json"])
    assert result.exit_code == 0, result.output
    (line,) = _lines(result.output)
    assert set(line) == EVAL_KEYS
    assert line["mode"] == "end-to-end" and line["images"] == 6
    for key in ("detection_recall", "top1", "top5", "char_accuracy"):
        assert 0.0 <= line[key] <= 1.0
    assert line["top5"] >= line["top1"]


def test_eval_on_a_crops_folder_measures_the_ocr_alone(tmp_path: Path, scenes: list) -> None:
    _write_set(tmp_path / "crops", scenes[:6], crops=True)
    result = CliRunner().invoke(app, ["eval", str(tmp_path / "crops"), "--json"])
    (line,) = _lines(result.output)
    assert line["mode"] == "ocr" and line["detection_recall"] is None


def test_eval_with_a_region_prefers_its_formats(tmp_path: Path, scenes: list) -> None:
    # The synthetic plates are three letters and four digits: a Brazilian grey plate's format.
    _write_set(tmp_path / "synth", scenes[:4])
    result = CliRunner().invoke(app, ["eval", str(tmp_path / "synth"), "--json", "--region", "br"])
    assert result.exit_code == 0, result.output
    assert _lines(result.output)[0]["top1"] >= 0.75


def test_an_unknown_region_is_refused_by_name(tmp_path: Path) -> None:
    image = tmp_path / "x.png"
    cv2.imwrite(str(image), np.zeros((40, 40), np.uint8))
    result = CliRunner().invoke(app, ["read", str(image), "--region", "mars"])
    assert result.exit_code == 2
    assert "'mars' is not a plate region (known: any, at, be, br," in result.output


def test_eval_without_truth_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", str(tmp_path)])
    assert result.exit_code == 1


def test_read_video_reports_passes_and_frames(tmp_path: Path, scenes: list) -> None:
    write_video(tmp_path / "pass.avi", scenes[4])
    result = CliRunner().invoke(
        app, ["read", str(tmp_path / "pass.avi"), "--json", "--every-frame"]
    )
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    plates = [x for x in lines if x["kind"] == "plate"]
    (summary,) = [x for x in lines if x["kind"] == "video"]
    assert len(plates) == 1
    assert {"first_frame", "last_frame", "reads"} <= set(plates[0])
    assert summary["frames"] == 8 and summary["processed"] == 8 and summary["skipped"] == 0


def test_read_prints_the_plates_state(tmp_path: Path) -> None:
    rng = np.random.default_rng(16)
    plate = state_plate("OHIO", "7KX4815", rng)
    image = cv2.copyMakeBorder(plate, 60, 60, 80, 80, cv2.BORDER_CONSTANT, value=(90, 90, 90))
    cv2.imwrite(str(tmp_path / "ohio.png"), image)
    result = CliRunner().invoke(app, ["read", str(tmp_path / "ohio.png"), "--json"])
    (line,) = _lines(result.output)
    assert line["jurisdiction"] is not None
    text = CliRunner().invoke(app, ["read", str(tmp_path / "ohio.png")]).output
    assert f" {line['jurisdiction']} box=" in text
