"""Alembic migrations, run from inside the package."""

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from platewarden.store.partitions import is_partition


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration that migrates this engine's database."""
    config = Config()
    config.set_main_option("script_location", "platewarden.store:migrations")
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str | None:
    """Return the newest migration's revision."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Return the database's revision, None when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database schema to a revision (the newest by default)."""
    command.upgrade(alembic_config(engine), revision)


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    return current_revision(engine) == head_revision(engine)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Compare parent tables only: a day's partition is made at run time, not by a migration."""
    return not (type_ == "table" and name is not None and is_partition(name))


def include_object_on(dialect: str) -> Callable[..., bool]:
    """Return Alembic's object filter for one backend: a table only the other backend keeps
    (its info names a "backend") is not compared."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        backend = obj.info.get("backend") if type_ == "table" else None
        return backend in (None, dialect)

    return include
