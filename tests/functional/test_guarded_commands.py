"""Whatever a command did not foresee ends in one line: no traceback, no plate from the database."""

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from platewarden.cli.context import GuardedGroup, cli_errors
from platewarden.services.errors import ServiceError
from platewarden.store.engine import make_engine
from tests.functional.conftest import Run


def guarded(action: typer.models.CommandFunctionType) -> typer.Typer:
    """Return a root command like `platewarden`'s with one sub-command that runs action."""
    app = typer.Typer(cls=GuardedGroup, pretty_exceptions_enable=False)
    app.command("go")(action)
    app.command("other")(lambda: None)
    return app


def test_an_unforeseen_error_is_one_short_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLATEWARDEN_DEBUG", raising=False)

    def explode() -> None:
        raise ValueError("X" * 3_000_000 + "\nsecond line")

    result = CliRunner().invoke(guarded(explode), ["go"])
    assert result.exit_code == 3
    assert result.exception is None or isinstance(result.exception, SystemExit)
    told = result.output.strip()
    assert told.startswith("failed: internal error (ValueError): XXXX")
    assert len(told) < 300 and "second line" not in told and "Traceback" not in told


def test_typers_own_exits_and_refusals_pass_through() -> None:
    def refuse() -> None:
        raise typer.Exit(1)

    assert CliRunner().invoke(guarded(refuse), ["go"]).exit_code == 1
    assert CliRunner().invoke(guarded(refuse), ["go", "--nope"]).exit_code == 2

    def refused_service() -> None:
        raise ServiceError("no")

    assert CliRunner().invoke(guarded(refused_service), ["go"]).exit_code == 3


def test_a_database_error_never_shows_the_rows_values(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (plate VARCHAR(10) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO probe VALUES ('SECRET123')"))

    def duplicate() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO probe VALUES (:p)"), {"p": "SECRET123"})

    try:
        result = CliRunner().invoke(guarded(duplicate), ["go"])
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE probe"))
        engine.dispose()
    assert result.exit_code == 3
    assert result.output.startswith("failed: database error:")
    assert "SECRET123" not in result.output


def test_a_refusal_quoting_brackets_prints_them_as_typed() -> None:
    def refuse() -> None:
        with cli_errors():
            raise ServiceError("plate '[/red]ABC[b]' is not a plate")

    result = CliRunner().invoke(guarded(refuse), ["go"])
    assert result.exit_code == 1
    assert "refused: plate '[/red]ABC[b]' is not a plate" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ("alerts", "show"),
        ("alerts", "confirm", "{id}", "--visual"),
        ("alerts", "reject", "{id}", "--reason", "misread"),
        ("alerts", "outcome", "{id}", "--outcome", "stop_made"),
        ("hold", "show"),
        ("hold", "release", "{id}", "--reason", "done"),
        ("hotlist", "show"),
        ("hotlist", "remove", "{id}", "--reason", "cleared"),
        ("share", "show"),
        ("share", "approve", "{id}", "--reason", "lawful"),
        ("share", "deny", "{id}", "--reason", "no"),
        ("audit", "report"),
    ],
    ids=" ".join,
)
@pytest.mark.parametrize("number", ["99999999999999999999", "0", "2147483648"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # refused before any query
def test_a_record_number_no_column_holds_is_an_invalid_value(
    run: Run, command: tuple[str, ...], number: str
) -> None:
    args = [a.replace("{id}", number) for a in command]
    if "{id}" not in command:
        args.append(number)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output
