"""The running system a service works on: settings, policy, database, images and clock."""

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine

from platewarden.matching import LiveIndex
from platewarden.policy import Policy
from platewarden.services.delivery import AlertPublisher, Webhook
from platewarden.services.installation import policy_in_force
from platewarden.settings import Settings
from platewarden.store import migrate
from platewarden.store.blobs import BlobStore, load_master_key
from platewarden.store.engine import make_engine
from platewarden.store.partitions import PartitionCache
from platewarden.store.policies import latest_version_number


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
    partitions: PartitionCache = field(default_factory=PartitionCache)  # days with partitions
    replica: Engine | None = None  # a read replica that searches read from
    policy_version: int = 0
    installation_id: str = ""
    notices: tuple[str, ...] = ()  # start-up notes for the person at the console

    def reload_policy(self) -> bool:
        """Take up a policy version applied since this runtime opened; True if one was."""
        with self.engine.connect() as conn:
            newest = latest_version_number(conn)
        if newest == self.policy_version:
            return False
        in_force = policy_in_force(self.engine, self.settings, self.clock.now())
        self.policy, self.policy_version = in_force.policy, in_force.version
        return True

    @property
    def search_engine(self) -> Engine:
        """The engine searches read from: the replica if there is one, else the database."""
        return self.replica or self.engine

    def close(self) -> None:
        """Deliver queued alerts and release the database connections."""
        self.publisher.close()
        self.engine.dispose()
        if self.replica is not None:
            self.replica.dispose()


def open_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    """Connect the database (upgrading SQLite in place), load its policy and open the images."""
    engine = make_engine(settings.database_url)
    if not migrate.is_current(engine):
        if engine.dialect.name != "sqlite":
            engine.dispose()
            raise SchemaOutOfDateError(
                "the database schema is not at the newest version: run `platewarden db upgrade`"
            )
        migrate.upgrade(engine)
    blobs = BlobStore(settings.blob_dir, engine, load_master_key(settings.master_key_file, engine))
    clock = clock or SystemClock()
    try:
        in_force = policy_in_force(engine, settings, clock.now())
    except Exception:
        engine.dispose()
        raise
    publisher = AlertPublisher(webhooks=tuple(Webhook(*hook) for hook in settings.webhooks))
    return Runtime(
        settings,
        in_force.policy,
        engine,
        blobs,
        clock,
        publisher=publisher,
        policy_version=in_force.version,
        installation_id=in_force.installation_id,
        notices=in_force.notices,
        replica=make_engine(settings.search_replica_url) if settings.search_replica_url else None,
    )


def upgrade_schema(settings: Settings) -> tuple[str | None, str | None]:
    """Upgrade the database to the newest migration; return (revision before, revision after)."""
    engine = make_engine(settings.database_url)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        return before, migrate.current_revision(engine)
    finally:
        engine.dispose()
