"""What the unit's commands share: its folder, its runtime, its refusals, its member."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from platewarden.cli.context import cli_errors, console_binding, errors, session_file
from platewarden.domain import Actor
from platewarden.services import auth
from platewarden.services.auth import LogonError, LogonReason
from platewarden.services.runtime import Runtime
from platewarden.unit.config import (
    UNIT_DIR_ENV,
    UnitConfig,
    UnitError,
    load_config,
    open_unit,
    unit_actor,
    unit_dir,
)

UnitDir = Annotated[
    Path | None,
    typer.Option("--dir", envvar=UNIT_DIR_ENV, help="The unit's own data folder."),
]


@contextmanager
def opened_unit(folder: Path | None) -> Iterator[tuple[Runtime, UnitConfig, Actor]]:
    """Open the unit's database with its settings; turn refusals into messages."""
    with cli_errors(), unit_errors():
        where = unit_dir(folder)
        config = load_config(where)
        rt = open_unit(where)
        try:
            yield rt, config, unit_actor(config)
        finally:
            rt.close()


@contextmanager
def unit_errors() -> Iterator[None]:
    """Print a unit's refusal on one line and exit 1."""
    try:
        yield
    except UnitError as exc:
        errors.print(f"[red]unit:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None


def unit_member(rt: Runtime) -> Actor:
    """Return the member logged on at this unit: the car's data has no other way in.

    Unlike the station's console, a unit has no local operator before its first member: with
    no member logged on, nothing in the car is shown.
    """
    path = session_file(rt)
    if not path.exists():
        raise LogonError(
            "no member is logged on at this unit: run `platewarden unit login`",
            LogonReason.NOT_LOGGED_ON,
        )
    token = path.read_text(encoding="utf-8", errors="replace").strip()
    return auth.resume(rt, token, client_address="unit", bound_to=console_binding(rt))
