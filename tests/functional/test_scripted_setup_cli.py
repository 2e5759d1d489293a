"""Set-up a script can do: passwords from standard input, whole second-factor addresses,
people's roles only, and the training and maintenance lists an administrator checks."""

import re
from pathlib import Path

import pyotp
from typer.testing import CliRunner

from platewarden.cli.main import app
from tests.functional.conftest import Run

ADMIN_PASSWORD = "First-chief-pass-1"
NEW_PASSWORD = "Given-to-officer-22"
OWN_PASSWORD = "Officers-own-pass-333"


def piped(*args: str, answers: str) -> str:
    """Run a command with standard input from a pipe, as a script does; return what it said."""
    result = CliRunner().invoke(app, list(args), input=answers)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_script_sets_up_members_with_passwords_on_standard_input(run: Run) -> None:
    created = piped(
        "first-run",
        "--username",
        "admin",
        "--full-name",
        "Pat Admin",
        "--course-completed",
        "2026-01-05",
        "--password-stdin",
        answers=f"{ADMIN_PASSWORD}\n",
    )
    address = re.search(r"address: (otpauth://\S+)", created)
    assert address, created  # the whole address on one line, never wrapped
    assert "\u2580" in created or "\u2584" in created  # and a QR code drawn in the terminal
    secret = pyotp.parse_uri(address.group(1)).secret
    piped(
        "login",
        "--username",
        "admin",
        "--code",
        pyotp.TOTP(secret).now(),
        "--password-stdin",
        answers=f"{ADMIN_PASSWORD}\n",
    )
    piped(
        "user",
        "add",
        "ofc.kim",
        "--full-name",
        "Kim",
        "--role",
        "officer",
        "--password-stdin",
        answers=f"{NEW_PASSWORD}\n",
    )
    course = ("--course", "ALPR operator", "--completed", "2026-11-20")
    run("training", "add", "ofc.kim", *course, "--expires", "2099-01-01")
    assert "ofc.kim" in run("training", "list").output
    assert "ofc.kim" not in run("training", "list", "--expiring", "30").output
    run("training", "add", "ofc.kim", *course, "--expires", "2026-12-20")
    due = run("training", "list", "--expiring", "30").output
    assert "ofc.kim" in due and "2026-12-20" in due
    piped(
        "passwd",
        "--username",
        "ofc.kim",
        "--password-stdin",
        answers=f"{NEW_PASSWORD}\n{OWN_PASSWORD}\n",
    )
    run("logout")
    logged = piped(
        "login", "--username", "ofc.kim", "--password-stdin", answers=f"{OWN_PASSWORD}\n"
    )
    assert "logged on as ofc.kim" in logged


def test_no_password_on_standard_input_is_refused_clearly(run: Run) -> None:
    result = CliRunner().invoke(
        app,
        [
            "first-run",
            "--username",
            "a",
            "--full-name",
            "A",
            "--course-completed",
            "2026-01-05",
            "--password-stdin",
        ],
        input="",
    )
    assert result.exit_code != 0
    assert "no line on standard input" in result.output
    assert "Traceback" not in result.output


def test_people_are_not_offered_the_machines_roles(run: Run) -> None:
    result = run("user", "add", "x", "--full-name", "X", "--role", "system", "--password-stdin")
    assert result.exit_code == 2
    assert "'system' is not one of" in " ".join(result.output.split())


def test_maintenance_lists_every_camera_without_a_camera_named(run: Run, tmp_path: Path) -> None:
    run("camera", "add", "north", "--location", "North gate")
    done = run(
        "maintenance",
        "add",
        "north",
        "--kind",
        "calibration",
        "--by",
        "tech",
        "--done-on",
        "2026-11-01",
        "--next-due",
        "2027-05-01",
    )
    assert done.exit_code == 0, done.output
    listed = run("maintenance", "list")
    assert listed.exit_code == 0, listed.output
    assert "north" in listed.output and "calibration" in listed.output
