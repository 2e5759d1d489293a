"""Whole-database copies: SQLite's online backup, and pg_dump / pg_restore for PostgreSQL.

Each copy is one consistent snapshot taken while the system runs: SQLite's backup API reads all
pages in one step inside a read transaction (writers in WAL mode carry on), pg_dump reads in one
repeatable-read transaction. The password of a PostgreSQL URL goes to the tools in their
environment, never on a command line that other local users can list.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from platewarden.store.files import write_private

_SEARCH_PATH = re.compile(r"-c\s*search_path=([A-Za-z0-9_]+)")


class DumpError(Exception):
    """A database could not be copied or restored; the message says why."""


def find_tool(name: str) -> str:
    """Return the path of a PostgreSQL client tool (pg_dump, pg_restore) on the PATH."""
    found = shutil.which(name)
    if found is None:
        raise DumpError(
            f"{name} is not on PATH: install the PostgreSQL client tools of the server's version "
            "or newer (Debian and Ubuntu: apt-get install postgresql-client); nothing was written"
        )
    return found


def sqlite_file(url: str) -> Path:
    """Return the database file of a sqlite:/// URL."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DumpError("the SQLite database is not a file: nothing to copy")
    return Path(database)


def sqlite_backup(url: str, target: Path) -> None:
    """Copy a live SQLite database into a new owner-only file with SQLite's online backup."""
    write_private(target, b"", exclusive=True)
    source = sqlite3.connect(sqlite_file(url), timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: a consistent snapshot
        # One self-contained file (no -wal beside it); the restored database turns WAL on again.
        copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise DumpError(f"the SQLite backup failed: {exc}") from None
    finally:
        copy.close()
        source.close()


def pg_dump(tool: str, url: str, target: Path) -> None:
    """Dump a PostgreSQL database into a new owner-only file (pg_dump's custom format).

    Only the installation's schema is dumped when the URL sets one (options=-csearch_path=NAME).
    """
    dbname, env = _libpq(url)
    args = [tool, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dbname}"]
    schema = _SEARCH_PATH.search(str(make_url(url).query.get("options", "")))
    if schema:
        args.append(f"--schema={schema.group(1)}")
    write_private(target, b"", exclusive=True)  # pg_dump keeps the file's owner-only mode
    _run(args, env, "pg_dump")


def pg_restore(tool: str, url: str, archive: Path) -> None:
    """Restore a pg_dump archive into an empty database, all or nothing."""
    dbname, env = _libpq(url)
    args = [tool, "--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={dbname}"]
    _run([*args, str(archive)], env, "pg_restore")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """Return a libpq connection URI without the password, and the environment that holds it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], name: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise DumpError(f"{name} failed: {lines[0][:300]}; nothing was kept")
