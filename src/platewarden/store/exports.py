"""The record of evidence exports (chain of custody on our side)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from platewarden.store.schema import exports, share_requests, text_length

# What the table keeps: longer values are refused before a package is written.
EVIDENCE_NUMBER_LENGTH = text_length(exports.c.evidence_number)
EXPORTED_BY_LENGTH = text_length(exports.c.exported_by)


@dataclass(frozen=True)
class PackageRecord:
    """The store's record of a package written to disk: an evidence export or a release."""

    kind: str  # "evidence export" or "sharing release"
    id: int
    label: str  # the evidence number, or the agency the release went to
    by: str
    at: datetime


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


@dataclass(frozen=True)
class ExportRecord:
    """One evidence export on record: which hold, under which evidence number, by whom."""

    id: int
    hold_id: int
    evidence_number: str
    exported_by: str
    exported_at: datetime
    destination: str
    read_count: int
    manifest_sha256: str


def recent_exports(conn: Connection, *, limit: int) -> list[ExportRecord]:
    """Return the newest evidence exports first."""
    rows = conn.execute(select(exports).order_by(exports.c.id.desc()).limit(limit)).mappings()
    return [ExportRecord(**row) for row in rows]


def find_package(conn: Connection, *, manifest_sha256: str) -> PackageRecord | None:
    """Return the export or sharing release whose manifest had this hash, or None."""
    row = conn.execute(
        select(
            exports.c.id, exports.c.evidence_number, exports.c.exported_by, exports.c.exported_at
        )
        .where(exports.c.manifest_sha256 == manifest_sha256)
        .order_by(exports.c.id)
    ).first()
    if row is not None:
        return PackageRecord(
            "evidence export", row.id, row.evidence_number, row.exported_by, row.exported_at
        )
    row = conn.execute(
        select(
            share_requests.c.id,
            share_requests.c.agency,
            share_requests.c.fulfilled_by,
            share_requests.c.fulfilled_at,
        )
        .where(share_requests.c.manifest_sha256 == manifest_sha256)
        .order_by(share_requests.c.id)
    ).first()
    if row is not None:
        return PackageRecord(
            "sharing release", row.id, row.agency, row.fulfilled_by or "", row.fulfilled_at
        )
    return None
