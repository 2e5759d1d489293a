"""Log-on at the console: first run, then every command needs a member who is logged on."""

import re
from pathlib import Path

import pyotp
from typer.testing import CliRunner

from platewarden.cli.main import app
from tests.factories import PASSWORD
from tests.functional.conftest import Run
from tests.functional.test_cli import reads_file

DET_PASSWORD = "Det3ctive-Lee-2026"
OWN_PASSWORD = "Chosen-by-myself-77"


def typed(*args: str, answers: str) -> str:
    """Run a command that prompts, answering its prompts; return its output on one line."""
    result = CliRunner().invoke(app, [str(a) for a in args], input=answers)
    return " ".join(result.output.split())


def test_after_first_run_every_command_needs_a_logged_on_trained_member(
    run: Run, tmp_path: Path
) -> None:
    run("ingest", reads_file(tmp_path, 3), "--source", "county")  # before any member exists
    created = typed(
        "first-run",
        "--username",
        "admin",
        "--full-name",
        "Pat Admin",
        "--course-completed",
        "2026-01-05",
        answers=f"{PASSWORD}\n{PASSWORD}\n",
    )
    secret = re.search(r"secret: ([A-Z2-7]+)", created).group(1)
    assert "not logged on: run `platewarden login`" in run("hold", "list").output

    wrong = typed("login", "--username", "admin", "--code", "000000", answers=f"{PASSWORD}\n")
    assert "log-on refused: wrong user name, password or second factor code" in wrong
    code = pyotp.TOTP(secret).now()
    logged = typed("login", "--username", "admin", "--code", code, answers=f"{PASSWORD}\n")
    assert "logged on as admin; roles in force: administrator" in logged
    assert "admin: administrator" in run("whoami").output
    for username in ("det.lee", "rookie"):
        added = typed(
            "user",
            "add",
            username,
            "--full-name",
            username.title(),
            "--role",
            "investigator",
            answers=f"{DET_PASSWORD}\n{DET_PASSWORD}\n",
        )
        assert f"member {username} added with roles investigator" in added
    trained = run(
        "training", "add", "det.lee", "--course", "ALPR investigator", "--completed", "2026-02-01"
    )
    assert "training ALPR investigator recorded for det.lee" in trained.output
    assert "rookie" in run("user", "list").output
    run("logout")
    assert "not logged on" in run("whoami").output

    first = typed("login", "--username", "det.lee", answers=f"{DET_PASSWORD}\n")
    assert "your password was reset" in first  # the administrator's password is not theirs
    for username in ("det.lee", "rookie"):
        typed(
            "passwd",
            "--username",
            username,
            answers=f"{DET_PASSWORD}\n{OWN_PASSWORD}\n{OWN_PASSWORD}\n",
        )
    typed("login", "--username", "det.lee", answers=f"{OWN_PASSWORD}\n")
    found = run(
        "search", "--purpose", "stolen_vehicle", "--case", "26-1", "--plate", "TST0001", "--json"
    )
    assert found.exit_code == 0, found.output
    assert '"plate": "TST0001"' in found.output
    run("logout")

    typed("login", "--username", "rookie", answers=f"{OWN_PASSWORD}\n")
    refused = run("search", "--purpose", "stolen_vehicle", "--case", "26-1", "--plate", "TST0001")
    assert refused.exit_code == 1
    assert "course 'ALPR investigator' is not on record" in " ".join(refused.output.split())
