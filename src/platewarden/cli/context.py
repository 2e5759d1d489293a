"""What every command shares: opening the runtime, the acting member, and clean error messages."""

import getpass
import hashlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError, OperationalError
from typer._click.core import Context as ClickContext  # Typer vendors click: its Context
from typer.core import TyperGroup
from typer.exceptions import TyperException

from platewarden.domain import Actor
from platewarden.policy import PolicyError
from platewarden.policy.access import Role
from platewarden.services.auth import LogonError, LogonReason, has_members, resume
from platewarden.services.errors import ServiceError
from platewarden.services.runtime import Runtime, SchemaOutOfDateError, open_runtime
from platewarden.settings import SettingsError, get_settings
from platewarden.store.blobs import BlobError
from platewarden.store.engine import DatabaseUrlError

console = Console()
errors = Console(stderr=True)

# What the person at the console does about a refused session.
CONSOLE_HINTS = {
    LogonReason.NOT_LOGGED_ON: ": run `platewarden login`",
    LogonReason.FOREIGN_SESSION: ": run `platewarden login`",
    LogonReason.PASSWORD_RESET: ": set your own with `platewarden passwd`",
}

# A record's number as typed: within what every id column holds (PostgreSQL INTEGER), so that
# 99999999999999999999 is "invalid value", not an overflow deep in the database driver.
RecordId = Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="The record's number.")]


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
        raise LogonError("not logged on", LogonReason.NOT_LOGGED_ON)
    token = path.read_text(encoding="utf-8", errors="replace").strip()
    return resume(rt, token, client_address="console", bound_to=console_binding(rt))


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn refusals and bad configuration into a one-paragraph message and an exit code."""
    try:
        yield
    except LogonError as exc:
        hint = CONSOLE_HINTS.get(exc.reason, "")
        errors.print(f"[red]refused:[/red] {escape(str(exc))}{hint}", highlight=False)
        raise typer.Exit(1) from None
    except ServiceError as exc:
        errors.print(f"[red]refused:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    except BlobError as exc:
        errors.print(f"[red]image unreadable:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    except (SettingsError, PolicyError, DatabaseUrlError, SchemaOutOfDateError) as exc:
        errors.print(f"[red]cannot start:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    except OperationalError as exc:
        errors.print(
            f"[red]database unavailable:[/red] {escape(first_line(exc.orig))}", highlight=False
        )
        raise typer.Exit(2) from None


class GuardedGroup(TyperGroup):
    """The root command: whatever a command did not foresee ends in one line, not a traceback.

    A database error is named by its first line only: later lines (PostgreSQL's DETAIL) can
    quote the values of a row, which hold plates. PLATEWARDEN_DEBUG=1 shows the traceback.
    """

    def invoke(self, ctx: ClickContext) -> Any:
        """Run the command, turning an unforeseen exception into a message and exit code 3."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except BrokenPipeError:
            # The reader of our output went away (`| head`): nothing more to say, to anyone.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(141) from None
        except Exception as exc:
            if os.environ.get("PLATEWARDEN_DEBUG") == "1":
                raise
            if isinstance(exc, DBAPIError):
                told = f"database error: {first_line(exc.orig)}"
            else:
                told = f"internal error ({type(exc).__name__}): {first_line(exc)}"
            errors.print(
                f"[red]failed:[/red] {escape(told)} (please report it with the command you ran)",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(3) from None


def first_line(exc: object, limit: int = 160) -> str:
    """Return the first line of an error's text, cut to a length a terminal shows at once."""
    try:
        text = str(exc)
    except Exception:
        text = ""
    line = text.splitlines()[0] if text else ""
    return (line[:limit] + "…") if len(line) > limit else line or "(no message)"


@contextmanager
def opened_runtime() -> Iterator[Runtime]:
    """Open the runtime from the settings, with clean error messages, and close it after."""
    with cli_errors():
        try:
            rt = open_runtime(get_settings())
        except BlobError as exc:  # the key or the image folder, before any command ran
            errors.print(f"[red]cannot start:[/red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(2) from None
        for notice in rt.notices:
            errors.print(f"[yellow]note:[/yellow] {escape(notice)}", highlight=False)
        try:
            yield rt
        finally:
            rt.close()
