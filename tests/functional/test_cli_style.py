"""One CLI style: --json on every list and show, tables within 100 columns, times in the
department's zone with the zone named, plain dates, the valid values in --help, and the new
homes of `export verify` and `purge runs`."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import typer.main
from typer.core import TyperGroup

from platewarden.cli import audit as audit_cli
from platewarden.cli.main import app
from platewarden.policy.access import Role
from tests.factories import actor
from tests.functional.conftest import Run

LISTS_AND_SHOWS = {"list", "show", "history", "runs", "status", "overdue", "query", "report"}
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? (MST|MDT)")
LONG_CASE = "26-000123-HOMICIDE-MAIN-STREET"


def subcommands() -> list[tuple[str, object]]:
    """Return every command under a sub-app, by its full name."""
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    return [
        (f"{group_name} {name}", command)
        for group_name, group in root.commands.items()
        if isinstance(group, TyperGroup)
        for name, command in group.commands.items()
    ]


def test_every_list_and_show_command_takes_json() -> None:
    named = [(full, cmd) for full, cmd in subcommands() if full.split()[1] in LISTS_AND_SHOWS]
    assert len(named) >= 15
    without = [full for full, cmd in named if "--json" not in _options(cmd)]
    assert without == []


def _options(command: object) -> set[str]:
    return {opt for p in command.params for opt in p.opts}  # type: ignore[attr-defined]


@pytest.fixture
def department(run: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    """An instance in Denver's zone with a camera, a hold, a maintenance record and a search."""
    monkeypatch.setenv("PLATEWARDEN_TIMEZONE", "America/Denver")
    monkeypatch.setattr(  # the local operator, who may also read the audit trail
        audit_cli, "console_actor", lambda _rt: actor(Role.AUDITOR, name="auditor")
    )
    due = (datetime.now(UTC) + timedelta(days=180)).date().isoformat()
    for args in (
        ("camera", "add", "gate-north-entrance", "--location", "North gate " * 8),
        (
            "maintenance",
            "add",
            "gate-north-entrance",
            "--kind",
            "calibration",
            "--by",
            "Acme Camera Servicing Company",
            "--next-due",
            due,
            "--notes",
            "realigned " * 20,
        ),
        (
            "hold",
            "create",
            "--kind",
            "evidence",
            "--purpose",
            "investigative_surveillance",
            "--case",
            LONG_CASE,
            "--reason",
            "the shooting",
            "--plate",
            "ABC123",
            "--since",
            "2026-11-01",
        ),
        ("search", "--purpose", "major_crime", "--case", LONG_CASE, "--plate", "ABC*X*"),
    ):
        done = run(*args)
        assert done.exit_code == 0, (args, done.output)
    return run


@pytest.mark.parametrize(
    "command",
    [
        "audit query",
        "hold list",
        "maintenance list",
        "camera list",
        "purge runs",
        "policy history",
        "training list",
        "user list",
    ],
)
def test_tables_fit_100_columns_and_never_break_a_time(
    department: Run, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    shown = department(*command.split())
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert max(map(len, lines)) <= 100, shown.stdout
    if command in {"audit query", "hold list", "maintenance list"}:
        assert TIME.search(shown.stdout), shown.stdout  # whole, with its zone, on one line


def test_json_lines_carry_the_apis_fields_and_utc_times(department: Run) -> None:
    holds = [json.loads(line) for line in department("hold", "list", "--json").stdout.splitlines()]
    assert len(holds) == 1
    hold = holds[0]
    assert {"id", "kind", "case_number", "purpose", "created_at", "selection"} <= set(hold)
    # a plain date is the start of that day in the department's zone (MDT on 1 November 2026)
    assert datetime.fromisoformat(hold["selection"]["since"]) == datetime(
        2026, 11, 1, 6, tzinfo=UTC
    )
    shown = department("hold", "show", str(hold["id"]), "--json").stdout.splitlines()
    assert [json.loads(line) for line in shown] == [hold]
    for command in ("camera list", "maintenance list", "audit query", "policy show"):
        out = department(*command.split(), "--json")
        assert out.exit_code == 0, out.output
        assert all(isinstance(json.loads(line), dict) for line in out.stdout.splitlines())


def test_times_are_shown_in_the_departments_zone_with_its_name(department: Run) -> None:
    shown = " ".join(department("hold", "show", "1").output.split())
    assert TIME.search(shown), shown
    assert "UTC" not in shown


def test_a_time_that_is_not_a_time_or_date_is_refused(run: Run) -> None:
    refused = run("search", "--purpose", "major_crime", "--case", "1", "--since", "last week")
    assert refused.exit_code == 2
    assert "or a date like 2026-06-01" in " ".join(refused.output.split())


def test_an_unknown_timezone_setting_stops_every_command(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATEWARDEN_TIMEZONE", "Mars/Olympus_Mons")
    refused = run("hold", "list")
    assert refused.exit_code == 2
    assert "cannot start: timezone 'Mars/Olympus_Mons' is not a known IANA time zone" in (
        " ".join(refused.output.split())
    )


def test_help_names_the_purposes_and_the_courses(run: Run) -> None:
    for command in (("search",), ("hold", "create"), ("hotlist", "add"), ("share", "receive")):
        told = " ".join(run(*command, "--help").output.split())
        assert "investigative_surveillance" in told and "recent_crime_vicinity" in told, command
    told = " ".join(run("training", "add", "--help").output.split())
    assert "ALPR operator" in told and "ALPR records custodian" in told


def test_old_names_still_work_hidden_and_say_the_new_one(run: Run) -> None:
    assert "purge-runs" not in run("--help").output
    assert "verify-export" not in run("--help").output
    old = run("purge-runs")
    assert old.exit_code == 0 and "is now `platewarden purge runs`" in old.output
    assert run("purge", "runs", "--json").exit_code == 0
    missing = run("export", "verify", "/nonexistent-export")
    assert missing.exit_code != 0
    refused = run("export", "--hold", "1")
    assert refused.exit_code == 2 and "missing --to, --evidence-number" in refused.output
