"""Fixtures: a fresh database per test, on SQLite and on PostgreSQL."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from platewarden.domain import CameraKind
from platewarden.services import cameras
from platewarden.services.runtime import Runtime, open_runtime, upgrade_schema
from platewarden.settings import Settings, sqlite_url
from tests.factories import CUSTODIAN, FixedClock

POSTGRES_URL = os.environ.get(
    "PLATEWARDEN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_reason() -> str | None:
    """Return why PostgreSQL tests cannot run here, or None when they can."""
    try:
        engine = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
        with engine.connect():
            pass
        engine.dispose()
    except OperationalError as exc:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({exc.orig})"
    return None


@pytest.fixture(scope="session")
def postgres_available() -> None:
    """Skip PostgreSQL tests without a server, except on CI where they must run."""
    reason = _postgres_reason()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    request.getfixturevalue("postgres_available")
    schema = f"pw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings of a fresh instance."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def clock() -> FixedClock:
    """A clock the test controls."""
    return FixedClock()


@pytest.fixture
def runtime(settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    """A migrated instance with one camera, cam-1."""
    upgrade_schema(settings)
    rt = open_runtime(settings, clock=clock)
    cameras.add_camera(rt, CUSTODIAN, name="cam-1", kind=CameraKind.FIXED, location="Main St")
    yield rt
    rt.close()
