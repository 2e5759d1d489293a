"""Migrations build exactly the schema of schema.py."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from platewarden.store import migrate
from platewarden.store.engine import make_engine
from platewarden.store.schema import metadata


def test_migrations_match_the_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": migrate.include_name})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == [], "schema.py changed without a migration"


def test_a_fresh_database_is_at_head_after_upgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    engine.dispose()
