"""Alembic environment: migrates the engine handed over in config.attributes."""

from alembic import context

from platewarden.store.migrate import include_name, include_object_on
from platewarden.store.schema import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_name=include_name,
        include_object=include_object_on(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
