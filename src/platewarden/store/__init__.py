"""The store: Core tables, migrations and encrypted image blobs; only services/ use it."""
