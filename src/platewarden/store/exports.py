"""The record of evidence exports (chain of custody on our side)."""

from datetime import datetime

from sqlalchemy import Connection, insert

from platewarden.store.schema import exports


def add_export(
    conn: Connection,
    *,
    hold_id: int,
    evidence_number: str,
    exported_by: str,
    exported_at: datetime,
    destination: str,
    read_count: int,
    manifest_sha256: str,
) -> int:
    """Record an evidence export; return its id."""
    values = {
        "hold_id": hold_id,
        "evidence_number": evidence_number,
        "exported_by": exported_by,
        "exported_at": exported_at,
        "destination": destination,
        "read_count": read_count,
        "manifest_sha256": manifest_sha256,
    }
    return conn.execute(insert(exports).values(values).returning(exports.c.id)).scalar_one()
