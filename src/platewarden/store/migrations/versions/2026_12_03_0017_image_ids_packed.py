"""Reads keep their image ids packed: a marker, the day's ordinal and the digest in 36 bytes

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 18:00:00

The format is store/image_ids.py's, written out here so that this revision keeps doing what it
did whatever that module becomes: `YYYY-MM-DD/<64 hex>` becomes 0x01, the day's proleptic
Gregorian ordinal (0001-01-01 is 1) in three big-endian bytes and the 32 digest bytes; any other
id 0x00 and its UTF-8 text.
"""

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

COLUMNS = ("frame_blob", "crop_blob")
_ID = r"^\d{4}-\d{2}-\d{2}/[0-9a-f]{64}$"


def _pack_sql(column: str) -> str:
    ordinal = f"(left({column}, 10)::date - DATE '0001-01-01' + 1)"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} ~ '{_ID}'"
        f" THEN '\\x01'::bytea || substring(int4send({ordinal}) FROM 2 FOR 3)"
        f" || decode(substr({column}, 12), 'hex')"
        f" ELSE '\\x00'::bytea || convert_to({column}, 'UTF8') END"
    )


def _unpack_sql(column: str) -> str:
    ordinal = (
        f"(get_byte({column}, 1) * 65536 + get_byte({column}, 2) * 256 + get_byte({column}, 3))"
    )
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN get_byte({column}, 0) = 1"
        f" THEN to_char(DATE '0001-01-01' + ({ordinal} - 1), 'YYYY-MM-DD') || '/'"
        f" || encode(substr({column}, 5), 'hex')"
        f" ELSE convert_from(substr({column}, 2), 'UTF8') END"
    )


def _pack(image_id: str) -> bytes:
    if re.fullmatch(_ID, image_id):
        try:
            day = date.fromisoformat(image_id[:10])
        except ValueError:
            day = None
        if day is not None:
            return b"\x01" + day.toordinal().to_bytes(3, "big") + bytes.fromhex(image_id[11:])
    return b"\x00" + image_id.encode()


def _unpack(value: bytes) -> str:
    if value[:1] == b"\x01":
        day = date.fromordinal(int.from_bytes(value[1:4], "big"))
        return f"{day.isoformat()}/{value[4:].hex()}"
    return value[1:].decode()


def _convert_sqlite(convert: Callable[[Any], bytes | str]) -> None:
    # In batches by id: a laptop's store of millions of reads need not fit in memory at once.
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.exec_driver_sql(
            "SELECT id, frame_blob, crop_blob FROM reads WHERE id > ?"
            " AND (frame_blob IS NOT NULL OR crop_blob IS NOT NULL) ORDER BY id LIMIT ?",
            (last, _BATCH),
        ).all()
        if not rows:
            return
        conn.exec_driver_sql(
            "UPDATE reads SET frame_blob = ?, crop_blob = ? WHERE id = ?",
            [
                (*(None if v is None else convert(v) for v in (frame, crop)), read_id)
                for read_id, frame, crop in rows
            ],
        )
        last = rows[-1][0]


_BATCH = 10_000


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in COLUMNS:
            op.alter_column(
                "reads", column, type_=sa.LargeBinary(), postgresql_using=_pack_sql(column)
            )
        return
    _convert_sqlite(lambda text: _pack(str(text)))
    with op.batch_alter_table("reads") as batch:
        for column in COLUMNS:
            batch.alter_column(column, existing_type=sa.String(80), type_=sa.LargeBinary())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in COLUMNS:
            op.alter_column(
                "reads", column, type_=sa.String(80), postgresql_using=_unpack_sql(column)
            )
        return
    _convert_sqlite(lambda packed: _unpack(bytes(packed)))
    with op.batch_alter_table("reads") as batch:
        for column in COLUMNS:
            batch.alter_column(column, existing_type=sa.LargeBinary(), type_=sa.String(80))
