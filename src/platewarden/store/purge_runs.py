"""The record of purge runs: counts only, never plate data."""

from dataclasses import asdict

from sqlalchemy import Connection, RowMapping, insert, select

from platewarden.domain import PurgeRun
from platewarden.store.schema import purge_runs


def add_purge_run(conn: Connection, *, run: PurgeRun) -> int:
    """Record a finished purge run; return its id."""
    values = asdict(run)
    values.pop("id")
    values["days_shredded"] = list(run.days_shredded)
    return conn.execute(insert(purge_runs).values(values).returning(purge_runs.c.id)).scalar_one()


def list_purge_runs(conn: Connection, *, limit: int = 50) -> list[PurgeRun]:
    """Return the latest purge runs, newest first."""
    query = select(purge_runs).order_by(purge_runs.c.id.desc()).limit(limit)
    return [_run(row) for row in conn.execute(query).mappings()]


def _run(row: RowMapping) -> PurgeRun:
    values = dict(row)
    values["days_shredded"] = tuple(values["days_shredded"])
    return PurgeRun(**values)
