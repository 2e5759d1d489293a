"""`platewarden read` on a folder of images that broke it: one line each, the others read."""

import json
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from platewarden.cli.main import app


def test_tiny_and_huge_images_are_one_line_each_and_the_others_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1×1, 1×40, 40×1 and a BMP claiming 40000×40000 printed a traceback and stopped."""
    monkeypatch.setenv("PLATEWARDEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PLATEWARDEN_CONFIG", raising=False)
    for w, h in [(1, 1), (1, 40), (40, 1)]:
        cv2.imwrite(str(tmp_path / f"t{w}x{h}.png"), np.full((h, w, 3), 128, np.uint8))
    info = struct.pack("<IiiHHIIiiII", 40, 40_000, 40_000, 1, 24, 0, 0, 2835, 2835, 0, 0)
    (tmp_path / "huge.bmp").write_bytes(
        b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + info + bytes(16)
    )
    cv2.imwrite(str(tmp_path / "z-good.png"), np.full((180, 320, 3), 200, np.uint8))
    result = CliRunner().invoke(app, ["read", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    errors = {Path(line["source"]).name: line["error"] for line in lines if line["kind"] == "error"}
    assert sorted(errors) == ["huge.bmp", "t1x1.png", "t1x40.png", "t40x1.png"]
    assert all("\n" not in e for e in errors.values())
