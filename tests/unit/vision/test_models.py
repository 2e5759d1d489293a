"""The committed ONNX models: small, checksummed, refused when altered."""

import shutil

import pytest

from platewarden.vision import ModelError, Recognizer
from platewarden.vision.pipeline import CHECKSUMS, MODEL_FILES, MODELS_DIR, sha256, verify_models

MAX_TOTAL_BYTES = 20 * 1024 * 1024


def test_models_are_small_and_match_their_checksums() -> None:
    assert sum((MODELS_DIR / name).stat().st_size for name in MODEL_FILES) < MAX_TOTAL_BYTES
    sums = (MODELS_DIR / CHECKSUMS).read_text()
    for name in MODEL_FILES:
        assert f"{sha256(MODELS_DIR / name)}  {name}" in sums
    verify_models(MODELS_DIR)


def test_model_card_names_every_model() -> None:
    card = (MODELS_DIR / "MODEL_CARD.md").read_text()
    for name in MODEL_FILES:
        assert name in card


def test_altered_model_is_refused(tmp_path) -> None:
    folder = tmp_path / "models"
    shutil.copytree(MODELS_DIR, folder)
    with (folder / "ocr.onnx").open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelError, match="checksum mismatch"):
        Recognizer.load(folder)


def test_missing_model_is_refused(tmp_path) -> None:
    folder = tmp_path / "models"
    shutil.copytree(MODELS_DIR, folder)
    (folder / "detector.onnx").unlink()
    with pytest.raises(ModelError, match="missing model"):
        Recognizer.load(folder)
