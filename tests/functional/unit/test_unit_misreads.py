"""`unit run`: a frame read as a text longer than a plate loses none of its batch's reads."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from platewarden.cli import unit as unit_cli
from platewarden.cli.main import app
from platewarden.policy.access import Role
from platewarden.services.runtime import Runtime
from platewarden.services.unit_status import register_camera, unit_status
from platewarden.unit.config import open_unit, unit_actor
from tests.factories import PASSWORD, FixedClock, enrol, plate_image
from tests.functional.api.conftest import serving
from tests.functional.unit.factories import enrol_unit
from tests.unit.services.test_capture_misreads import TOO_LONG, Label, LabelledReader


def test_unit_run_queues_the_24_good_reads_of_a_batch_with_one_text_too_long(
    runtime: Runtime,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The 12-digit read made the unit's ingest refuse the batch: `unit run` lost 24 reads."""
    folder, photos = tmp_path / "unit", tmp_path / "photos"
    clock.at = datetime.now(UTC)  # the commands run on the real clock
    enrol(runtime, "ofc", Role.OFFICER)
    with serving(runtime) as url:
        config = enrol_unit(runtime, folder, url)
        assert CliRunner().invoke(app, ["unit", "sync", "--dir", str(folder)]).exit_code == 0
    login = ["unit", "login", "--username", "ofc", "--password-stdin", "--dir", str(folder)]
    assert CliRunner().invoke(app, login, input=f"{PASSWORD}\n").exit_code == 0
    unit = open_unit(folder, clock=clock)
    register_camera(unit, unit_actor(config), camera=config.camera)
    unit.close()
    photos.mkdir()
    labels = {}
    for n in range(25):
        text = TOO_LONG if n == 12 else f"CAR{n:04d}"
        jpeg = plate_image(text, (320, 180))
        (photos / f"{n:02d}.jpg").write_bytes(jpeg)
        labels[jpeg] = Label(text)
    monkeypatch.setattr(unit_cli, "load_recognizer", lambda region: LabelledReader(labels))

    result = CliRunner().invoke(app, ["unit", "run", str(photos), "--dir", str(folder)])

    assert result.exit_code == 0, result.output
    assert "1 recognised texts longer than any plate dropped" in result.output
    assert "24 reads queued for the station" in result.output
    unit = open_unit(folder, clock=clock)
    assert unit_status(unit, unit_actor(config)).queued == 24
    unit.close()
