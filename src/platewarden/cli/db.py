"""`platewarden db`: the database schema."""

import typer

from platewarden.cli.context import cli_errors, console
from platewarden.services.runtime import upgrade_schema
from platewarden.settings import get_settings

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Upgrade the database to the newest schema (SQLite also does this on first use)."""
    with cli_errors():
        before, after = upgrade_schema(get_settings())
    if before == after:
        console.print(f"database already at revision {after}")
    else:
        console.print(f"database upgraded from {before or 'empty'} to {after}")
