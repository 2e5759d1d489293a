"""What every command shares: opening the runtime, the acting member, and clean error messages."""

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from platewarden.domain import Actor
from platewarden.policy import PolicyError
from platewarden.policy.access import Role
from platewarden.services.errors import ServiceError
from platewarden.services.runtime import Runtime, SchemaOutOfDateError, open_runtime
from platewarden.settings import SettingsError, get_settings
from platewarden.store.blobs import BlobError
from platewarden.store.engine import DatabaseUrlError

console = Console()
errors = Console(stderr=True)


def console_actor() -> Actor:
    """Return the member at this console.

    Until members log in (the accountability issue), the person at the console acts as the
    department's local operator: administrator, records custodian, investigator and officer.
    """
    return Actor(
        name=f"{getpass.getuser()}@console",
        roles=frozenset(
            {Role.ADMINISTRATOR, Role.RECORDS_CUSTODIAN, Role.INVESTIGATOR, Role.OFFICER}
        ),
    )


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn refusals and bad configuration into a one-paragraph message and an exit code."""
    try:
        yield
    except ServiceError as exc:
        errors.print(f"[red]refused:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    except (SettingsError, PolicyError, DatabaseUrlError, SchemaOutOfDateError, BlobError) as exc:
        errors.print(f"[red]cannot start:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    except OperationalError as exc:
        errors.print(f"[red]database unavailable:[/red] {exc.orig}", highlight=False)
        raise typer.Exit(2) from None


@contextmanager
def opened_runtime() -> Iterator[Runtime]:
    """Open the runtime from the settings, with clean error messages, and close it after."""
    with cli_errors():
        rt = open_runtime(get_settings())
        try:
            yield rt
        finally:
            rt.close()
