"""The plate renderer's fonts: a missing one stops a recipe by name, not a quieter data set."""

import pytest
from training.synth import find_fonts


def test_a_missing_font_is_named_and_stops_the_run() -> None:
    # Tried: one installed font (DejaVu, which .ci/run installs) beside one that no system has.
    with pytest.raises(SystemExit, match=r"NoSuchPlateFont-Bold\.ttf") as stopped:
        find_fonts(["DejaVuSans-Bold.ttf", "NoSuchPlateFont-Bold.ttf"])
    assert "DejaVuSans-Bold.ttf" not in str(stopped.value)


def test_installed_fonts_are_found() -> None:
    (path,) = find_fonts(["DejaVuSans-Bold.ttf"])
    assert path.name == "DejaVuSans-Bold.ttf" and path.is_file()
