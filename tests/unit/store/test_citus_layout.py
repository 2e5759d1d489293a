"""The schema stays within what Citus needs for the layout docs/scale.md gives a state network.

Citus distributes a table by one column: every primary key and unique constraint of such a
table must hold that column (and, partitioned, the partition column), and foreign keys may point
from distributed tables to reference tables, not into a distributed table. A new table must be
placed here, which makes its author decide where it lives.
"""

from sqlalchemy import inspect

from platewarden.store import migrate
from platewarden.store.engine import make_engine
from platewarden.store.schema import metadata

DISTRIBUTED = {  # table: its distribution column
    "reads": "source_name",  # a camera's or a system's batch is one shard's transaction
    "read_plates": "plate",  # a look-alike is found on the shard of its text
    "plates": "plate",
    "plate_grams": "gram",  # SQLite's; a wildcard's gram is one shard's look-up
    "plate_gram_lists": "plate",  # PostgreSQL's: a wildcard looks in every shard's GIN index
}
REFERENCE = {  # small, read by every node: copied to each
    "cameras",
    "devices",
    "members",
    "training_records",
    "grants",
    "hotlist_versions",
    "hotlist_entries",
    "hotlist_generation",
    "holds",
    "hold_reads",
    "exports",
    "alerts",
    "alert_reads",
    "alert_events",
    "share_requests",
    "policy_versions",
    "installation",
    "day_keys",
    "camera_maintenance",
}
LOCAL = {  # written often or in one order (the audit chain): on the coordinator alone
    "audit_log",
    "audit_reviews",
    "audit_review_items",
    "sessions",
    "unknown_logons",
    "purge_runs",
    "notices",
    "frames",
    "unit_state",
    "unit_forwarded",
    "unit_set_aside",
    "unit_audit",
    "unit_alerts",
    "unit_alert_events",
}
ALLOWED_REFERENCES = {
    ("distributed", "reference"),
    ("reference", "reference"),
    ("local", "reference"),
    ("local", "local"),
}


def place(table: str) -> str:
    if table in DISTRIBUTED:
        return "distributed"
    return "reference" if table in REFERENCE else "local"


def test_every_table_has_a_place() -> None:
    tables = set(metadata.tables)
    placed = set(DISTRIBUTED) | REFERENCE | LOCAL
    assert sorted(tables - placed) == [], "place the new table in docs/scale.md and here"
    assert sorted(placed - tables) == []


def test_foreign_keys_never_point_into_a_distributed_table() -> None:
    wrong = [
        f"{table.name} -> {key.column.table.name}"
        for table in metadata.tables.values()
        for key in table.foreign_keys
        if (place(table.name), place(key.column.table.name)) not in ALLOWED_REFERENCES
    ]
    assert wrong == []


def test_unique_keys_of_distributed_tables_hold_their_distribution_column() -> None:
    for name, column in DISTRIBUTED.items():
        table = metadata.tables[name]
        keys = [c for c in table.constraints if c.__class__.__name__ == "UniqueConstraint"]
        keys += [index for index in table.indexes if index.unique]
        for key in keys:
            assert column in key.columns, f"{name}: {key.name} lacks {column}"
        if name != "reads":  # SQLite's rowid key; PostgreSQL's is checked below
            assert column in table.primary_key.columns, f"{name}: primary key lacks {column}"


def test_partitioned_keys_hold_the_distribution_and_partition_columns(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    keys = inspect(engine).get_pk_constraint("reads")["constrained_columns"]
    engine.dispose()
    if engine.dialect.name == "postgresql":
        assert {"id", "source_name", "captured_at"} <= set(keys)
    else:
        assert keys == ["id"]  # SQLite keeps its rowid alias; nothing is distributed there
