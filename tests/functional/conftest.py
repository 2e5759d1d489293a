"""Run the real `platewarden` command against a fresh instance on SQLite or PostgreSQL."""

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from platewarden.cli.main import app

Run = Callable[..., Result]


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment of a fresh instance, migrated."""
    env = {
        "PLATEWARDEN_DATA_DIR": str(tmp_path / "data"),
        "PLATEWARDEN_DATABASE_URL": database_url,
        "COLUMNS": "200",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PLATEWARDEN_CONFIG", raising=False)
    monkeypatch.delenv("PLATEWARDEN_POLICY_FILE", raising=False)
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
    return env


@pytest.fixture
def run(cli_env: dict[str, str]) -> Run:
    """Invoke the command line in-process; returns the result with its output."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, [str(a) for a in args])

    return invoke
