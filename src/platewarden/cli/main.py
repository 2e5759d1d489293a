"""The root `platewarden` command."""

from typing import Annotated

import typer

from platewarden import __version__

app = typer.Typer(help="Platewarden: license plate reader and ALPR policy enforcement.", no_args_is_help=True)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"platewarden {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Read plates, keep the reads, and enforce the ALPR policy."""


def main() -> None:
    """Run the command line."""
    app()
