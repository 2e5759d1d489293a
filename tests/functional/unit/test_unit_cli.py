"""`platewarden unit` at the terminal: the officer logs on in the car and handles an alert there."""

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from platewarden.cli.main import app
from platewarden.policy.access import Role
from platewarden.services import hotlists
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.unit_status import register_camera
from platewarden.unit.config import open_unit, unit_actor
from tests.factories import CUSTODIAN, PASSWORD, FixedClock, enrol, new_read
from tests.functional.api.conftest import serving
from tests.functional.unit.factories import CAR, enrol_unit


def unit_cli(folder: Path, *args: str, given: str | None = None) -> tuple[int, str]:
    """Run `platewarden unit ...` on a unit's folder; return the exit code and the output."""
    result = CliRunner().invoke(app, ["unit", *args, "--dir", str(folder)], input=given)
    return result.exit_code, result.output


def test_the_officer_logs_on_at_the_unit_and_confirms_an_alert_from_the_terminal(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    folder = tmp_path / "unit"
    clock.at = datetime.now(UTC)  # the commands run on the real clock
    enrol(runtime, "ofc", Role.OFFICER)
    with serving(runtime) as url:
        config = enrol_unit(runtime, folder, url)
        hotlists.add_entry(
            runtime, CUSTODIAN, plate="STL4411", purpose="stolen_vehicle", case_number="26-9"
        )
        assert unit_cli(folder, "sync")[0] == 0
    code, said = unit_cli(folder, "alerts")
    assert (code, "no member is logged on at this unit" in said) == (1, True)
    code, said = unit_cli(folder, "login", "--username", "ofc", "--password-stdin", given="x\n")
    assert code == 1 and "log-on refused" in said
    code, said = unit_cli(
        folder, "login", "--username", "ofc", "--password-stdin", given=f"{PASSWORD}\n"
    )
    assert code == 0 and "logged on at the unit as ofc" in said
    unit = open_unit(folder, clock=clock)
    register_camera(unit, unit_actor(config), camera=CAR)
    read = new_read("STL4411", camera=CAR, with_images=True, captured_at=clock.at)
    (alert_id,) = ingest_reads(unit, unit_actor(config), [read]).alerts
    unit.close()
    code, said = unit_cli(folder, "alerts")
    assert code == 0 and "STL4411" in said
    assert unit_cli(folder, "show", str(alert_id), "--images", str(tmp_path / "seen"))[0] == 0
    assert len(list((tmp_path / "seen").iterdir())) == 2  # the crop and the frame
    code, said = unit_cli(
        folder, "confirm", str(alert_id), "--visual", "--how", "dispatch", "--answer", "stolen"
    )
    assert code == 0 and "confirmed" in said
    assert unit_cli(folder, "logout")[0] == 0
    assert unit_cli(folder, "alerts")[0] == 1
