"""The committed ONNX models: small, checksummed, refused when altered."""

import shutil
from pathlib import Path

import pytest

from platewarden.vision import ModelError, Recognizer
from platewarden.vision.pipeline import (
    CHECKSUMS,
    MODEL_FILES,
    MODELS_DIR,
    OPTIONAL_FILES,
    SECOND_OCR,
    sha256,
    verify_models,
)

MAX_TOTAL_BYTES = 20 * 1024 * 1024
# The packaged files: the four models and the optional ones packaged.
PACKAGED = (*MODEL_FILES, *(name for name in OPTIONAL_FILES if (MODELS_DIR / name).exists()))


def test_models_are_small_and_match_their_checksums() -> None:
    assert sum((MODELS_DIR / name).stat().st_size for name in PACKAGED) < MAX_TOTAL_BYTES
    sums = (MODELS_DIR / CHECKSUMS).read_text()
    for name in PACKAGED:
        assert f"{sha256(MODELS_DIR / name)}  {name}" in sums
    verify_models(MODELS_DIR)


def test_model_card_names_every_model() -> None:
    card = (MODELS_DIR / "MODEL_CARD.md").read_text()
    for name in PACKAGED:
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


def _with_second_ocr(tmp_path: Path) -> Path:
    """Copy the packaged models with ocr.onnx also as the second OCR model, checksummed."""
    folder = tmp_path / "models"
    shutil.copytree(MODELS_DIR, folder)
    shutil.copy(folder / "ocr.onnx", folder / SECOND_OCR)
    sums = [
        line for line in (folder / CHECKSUMS).read_text().splitlines() if SECOND_OCR not in line
    ]
    (folder / CHECKSUMS).write_text(
        "\n".join([*sums, f"{sha256(folder / SECOND_OCR)}  {SECOND_OCR}\n"])
    )
    return folder


def test_second_ocr_model_is_loaded_where_present_and_checked(tmp_path: Path) -> None:
    folder = _with_second_ocr(tmp_path)
    assert Recognizer.load(folder).ocr_b is not None
    with (folder / SECOND_OCR).open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelError, match=f"checksum mismatch for .*{SECOND_OCR}"):
        Recognizer.load(folder)


def test_second_ocr_model_without_its_checksum_is_refused(tmp_path: Path) -> None:
    folder = _with_second_ocr(tmp_path)
    sums = (folder / CHECKSUMS).read_text().splitlines()
    (folder / CHECKSUMS).write_text("".join(f"{s}\n" for s in sums if SECOND_OCR not in s))
    with pytest.raises(ModelError, match="checksum mismatch"):
        verify_models(folder)


def test_without_second_ocr_model_there_is_none(tmp_path: Path) -> None:
    folder = _with_second_ocr(tmp_path)
    (folder / SECOND_OCR).unlink()
    assert Recognizer.load(folder).ocr_b is None
