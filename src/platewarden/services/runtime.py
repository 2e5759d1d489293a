"""The running system a service works on: settings, policy, database, images and clock."""

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine

from platewarden.matching import LiveIndex
from platewarden.policy import Policy, load_policy
from platewarden.services.delivery import AlertPublisher, Webhook
from platewarden.settings import Settings
from platewarden.store import migrate
from platewarden.store.blobs import BlobStore, load_master_key
from platewarden.store.engine import make_engine


class Clock(Protocol):
    """Tells the time (UTC); tests give a fixed one."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...


class SystemClock:
    """The computer's clock."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class SchemaOutOfDateError(RuntimeError):
    """The PostgreSQL database needs `platewarden db upgrade`."""


@dataclass
class HotlistCache:
    """This process's hot-list index and the hot-list generation it was built from."""

    live: LiveIndex | None = None
    generation: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Runtime:
    """Everything services need, built from settings by `open_runtime`."""

    settings: Settings
    policy: Policy
    engine: Engine
    blobs: BlobStore
    clock: Clock = field(default_factory=SystemClock)
    hotlist_cache: HotlistCache = field(default_factory=HotlistCache)
    publisher: AlertPublisher = field(default_factory=AlertPublisher)

    def close(self) -> None:
        """Deliver queued alerts and release the database connections."""
        self.publisher.close()
        self.engine.dispose()


def open_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    """Load the policy, connect the database (upgrading SQLite in place) and open the images."""
    policy = load_policy(settings.policy_file)
    engine = make_engine(settings.database_url)
    if not migrate.is_current(engine):
        if engine.dialect.name != "sqlite":
            engine.dispose()
            raise SchemaOutOfDateError(
                "the database schema is not at the newest version: run `platewarden db upgrade`"
            )
        migrate.upgrade(engine)
    blobs = BlobStore(settings.blob_dir, engine, load_master_key(settings.master_key_file, engine))
    publisher = AlertPublisher(webhooks=tuple(Webhook(*hook) for hook in settings.webhooks))
    return Runtime(settings, policy, engine, blobs, clock or SystemClock(), publisher=publisher)


def upgrade_schema(settings: Settings) -> tuple[str | None, str | None]:
    """Upgrade the database to the newest migration; return (revision before, revision after)."""
    engine = make_engine(settings.database_url)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        return before, migrate.current_revision(engine)
    finally:
        engine.dispose()
