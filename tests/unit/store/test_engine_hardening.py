"""Engines refuse unusable URLs in one line and keep statement parameters out of errors."""

from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, select
from sqlalchemy.exc import DBAPIError

from platewarden.store.engine import DatabaseUrlError, fits_column, make_engine


@pytest.mark.parametrize(
    "url", ["garbage", "", "://", "postgresql://host:notaport/db", "mysql://host/db"]
)
def test_an_unusable_database_url_is_one_clear_error(url: str) -> None:
    with pytest.raises(DatabaseUrlError, match=r"sqlite:///PATH or postgresql://"):
        make_engine(url)


def test_a_database_folder_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(DatabaseUrlError, match=r"cannot create the database .*file/data/x.db"):
        make_engine(f"sqlite:///{tmp_path}/file/data/x.db")


def test_error_messages_carry_no_statement_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    missing = Table("no_such_table", MetaData(), Column("plate", Integer))
    try:
        with pytest.raises(DBAPIError) as failed, engine.connect() as conn:
            conn.execute(select(missing).where(missing.c.plate == 424242))
        assert "424242" not in str(failed.value)
        assert "hidden due to hide_parameters" in str(failed.value)
    finally:
        engine.dispose()


def test_ids_beyond_a_columns_range_are_told_apart(database_url: str) -> None:
    engine = make_engine(database_url)
    table = Table("t", MetaData(), Column("small", Integer), Column("big", BigInteger))
    try:
        with engine.connect() as conn:
            wide = conn.dialect.name == "sqlite"
            assert fits_column(conn, table.c.small, 2**31 - 1)
            assert fits_column(conn, table.c.small, 2**31) == wide
            assert fits_column(conn, table.c.big, 2**63 - 1)
            assert not fits_column(conn, table.c.big, 2**63)
            assert not fits_column(conn, table.c.big, 99999999999999999999)
            assert fits_column(conn, table.c.big, -(2**63))
    finally:
        engine.dispose()
