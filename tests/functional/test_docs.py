"""The README documents every command and every setting (a test fails when one is missing)."""

from dataclasses import fields
from pathlib import Path

import typer.main

from platewarden.cli.main import app
from platewarden.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def command_names() -> list[str]:
    """Return every top-level command and sub-app of the `platewarden` command."""
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_is_in_the_readme() -> None:
    missing = [name for name in command_names() if f"platewarden {name}" not in README]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    missing = [
        f.name
        for f in fields(Settings)
        if f"`{f.name}`" not in README and f"[{f.name}" not in README
    ]
    assert missing == []
