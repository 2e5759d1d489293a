"""Database engines: SQLite in WAL mode (embedded default) or PostgreSQL through psycopg 3."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from platewarden.store.files import create_private_file, make_private_dir, tighten

URL_FORMS = "use sqlite:///PATH or postgresql://USER@HOST/DB"
READ_ONLY = "platewarden_read_only"  # an execution option: begin without SQLite's write lock


class DatabaseUrlError(ValueError):
    """The database URL cannot be used: not understood, not supported, or its folder unusable."""


def make_engine(url: str) -> Engine:
    """Create an engine for a sqlite:/// or postgresql:// URL, tuned for Platewarden's workload.

    Statements' parameters (plates, names) are kept out of every error message: such
    messages end up in logs and on screens that are not for them.
    """
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except (ArgumentError, ValueError):
        raise DatabaseUrlError(f"the database URL is not understood; {URL_FORMS}") from None
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_database_file(Path(parsed.database))
        # LIFO: a single-threaded caller gets the same connection back each time, keeping its
        # page cache warm; SQLite empties a connection's cache when another one has written.
        engine = create_engine(
            parsed, connect_args={"timeout": 30}, pool_use_lifo=True, hide_parameters=True
        )
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    if backend == "postgresql":
        return create_engine(
            parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True, hide_parameters=True
        )
    raise DatabaseUrlError(f"unsupported database {backend!r} in URL; {URL_FORMS}")


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """Open a connection for reading only: on SQLite its transaction takes no write lock."""
    with engine.connect() as conn:
        yield conn.execution_options(**{READ_ONLY: True})


def fits_column(conn: Connection, column: Column[Any], value: int) -> bool:
    """Tell whether an integer can be stored in a column; no row holds one that cannot.

    Ids typed by people reach the database unchecked otherwise, and one beyond the column's
    range is an overflow error (SQLite: 64 bits; PostgreSQL: 32 bits unless BIGINT).
    """
    wide = conn.dialect.name == "sqlite" or isinstance(column.type, BigInteger)
    limit = 2**63 if wide else 2**31
    return -limit <= value < limit


def _private_database_file(path: Path) -> None:
    """Create the database file owner-only before SQLite opens it.

    SQLite gives the -wal and -shm files the database file's permissions, so this covers them.
    An existing database of ours that others can read is made owner-only.
    """
    try:
        make_private_dir(path.parent)
        if not create_private_file(path):
            for each in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
                tighten(each)
    except OSError as exc:
        raise DatabaseUrlError(
            f"cannot create the database {path}: {exc.strerror or exc}"
        ) from None


def _tune_sqlite(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # SQLAlchemy's own transaction handling; the driver's implicit BEGIN is turned off so that
    # _begin_immediate can take the write lock at the start of each transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-32000")  # 32 MB: the reads' indexes stay in memory longer
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # BEGIN IMMEDIATE avoids the deadlock-prone read-then-upgrade of SQLite's deferred transactions
    # when ingest and purge write at the same time; readers are never blocked in WAL mode. A
    # read-only connection (reading()) begins deferred: a long search must not stop ingest.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
