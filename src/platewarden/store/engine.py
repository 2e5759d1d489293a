"""Database engines: SQLite in WAL mode (embedded default) or PostgreSQL through psycopg 3."""

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


class DatabaseUrlError(ValueError):
    """The database URL names a database Platewarden does not support."""


def make_engine(url: str) -> Engine:
    """Create an engine for a sqlite:/// or postgresql:// URL, tuned for Platewarden's workload."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # LIFO: a single-threaded caller gets the same connection back each time, keeping its
        # page cache warm; SQLite empties a connection's cache when another one has written.
        engine = create_engine(parsed, connect_args={"timeout": 30}, pool_use_lifo=True)
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    if backend == "postgresql":
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    raise DatabaseUrlError(
        f"unsupported database {backend!r} in URL; use sqlite:///PATH or postgresql://HOST/DB"
    )


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


def _begin_immediate(connection: Any) -> None:
    # BEGIN IMMEDIATE avoids the deadlock-prone read-then-upgrade of SQLite's deferred transactions
    # when ingest and purge write at the same time; readers are never blocked in WAL mode.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
