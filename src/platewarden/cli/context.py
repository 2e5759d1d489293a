"""What every command shares: opening the runtime, the acting member, and clean error messages."""

import getpass
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from platewarden.domain import Actor
from platewarden.policy import PolicyError
from platewarden.policy.access import Role
from platewarden.services.auth import LogonError, has_members, resume
from platewarden.services.errors import ServiceError
from platewarden.services.runtime import Runtime, SchemaOutOfDateError, open_runtime
from platewarden.settings import SettingsError, get_settings
from platewarden.store.blobs import BlobError
from platewarden.store.engine import DatabaseUrlError

console = Console()
errors = Console(stderr=True)


def session_file(rt: Runtime) -> Path:
    """Return where this computer user's log-on session token is kept."""
    return rt.settings.data_dir / "sessions" / f"{_os_user()}.token"


def console_binding(rt: Runtime) -> str:
    """Return what ties a console session to this OS user, installation and data folder.

    A token file copied to another user, another data folder or another installation sharing
    the database is refused there.
    """
    where = f"{rt.installation_id}\n{_os_user()}\n{rt.settings.data_dir.resolve()}"
    return hashlib.sha256(where.encode()).hexdigest()


def _os_user() -> str:
    # The uid, not $USER: the environment is the caller's to set.
    return f"uid-{os.getuid()}" if hasattr(os, "getuid") else getpass.getuser()


def console_actor(rt: Runtime) -> Actor:
    """Return the member logged on at this console.

    Before the first administrator exists (`platewarden first-run`), the person at the console
    is the local operator: administrator, records custodian, investigator and officer. From
    then on every command needs `platewarden login`.
    """
    if not has_members(rt):
        return Actor(
            name=f"{getpass.getuser()}@console",
            roles=frozenset(
                {Role.ADMINISTRATOR, Role.RECORDS_CUSTODIAN, Role.INVESTIGATOR, Role.OFFICER}
            ),
        )
    path = session_file(rt)
    if not path.exists():
        raise LogonError("not logged on: run `platewarden login`")
    token = path.read_text(encoding="utf-8", errors="replace").strip()
    return resume(rt, token, client_address="console", bound_to=console_binding(rt))


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
        for notice in rt.notices:
            errors.print(f"[yellow]note:[/yellow] {notice}", highlight=False)
        try:
            yield rt
        finally:
            rt.close()
