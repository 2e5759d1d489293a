"""Legal holds and the reads they keep."""

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Connection, RowMapping, insert, select, update

from platewarden.domain import Hold, HoldKind, PreservationRequest
from platewarden.selection import ReadSelection
from platewarden.store.engine import fits_column
from platewarden.store.schema import hold_reads, holds


def add_hold(
    conn: Connection,
    *,
    kind: HoldKind,
    case_number: str,
    purpose: str,
    reason: str,
    selection: ReadSelection,
    read_ids: list[int],
    created_by: str,
    created_at: datetime,
    preservation: PreservationRequest | None = None,
) -> int:
    """Insert a hold with the reads it keeps; return its id."""
    values = {
        "kind": kind.value,
        "case_number": case_number,
        "purpose": purpose,
        "reason": reason,
        "selection": selection.as_json(),
        "preservation": asdict(preservation) if preservation else None,
        "read_count": len(read_ids),
        "created_by": created_by,
        "created_at": created_at,
    }
    hold_id = conn.execute(insert(holds).values(values).returning(holds.c.id)).scalar_one()
    if read_ids:
        conn.execute(insert(hold_reads), [{"hold_id": hold_id, "read_id": r} for r in read_ids])
    return hold_id


def release_hold(
    conn: Connection, *, hold_id: int, released_by: str, released_at: datetime, reason: str
) -> bool:
    """Mark an active hold released; return False when it was not active."""
    if not fits_column(conn, holds.c.id, hold_id):
        return False
    result = conn.execute(
        update(holds)
        .where(holds.c.id == hold_id, holds.c.released_at.is_(None))
        .values(released_at=released_at, released_by=released_by, release_reason=reason)
    )
    return result.rowcount == 1


def get_hold(conn: Connection, *, hold_id: int) -> Hold | None:
    """Return a hold by id, or None."""
    if not fits_column(conn, holds.c.id, hold_id):
        return None
    row = conn.execute(select(holds).where(holds.c.id == hold_id)).mappings().first()
    return _hold(row) if row else None


def list_holds(conn: Connection, *, active_only: bool = False) -> list[Hold]:
    """Return holds, newest first."""
    query = select(holds).order_by(holds.c.id.desc())
    if active_only:
        query = query.where(holds.c.released_at.is_(None))
    return [_hold(row) for row in conn.execute(query).mappings()]


def _hold(row: RowMapping) -> Hold:
    preservation = row["preservation"]
    return Hold(
        id=row["id"],
        kind=HoldKind(row["kind"]),
        case_number=row["case_number"],
        purpose=row["purpose"],
        reason=row["reason"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        selection=ReadSelection.from_json(row["selection"]),
        read_count=row["read_count"],
        preservation=PreservationRequest(**preservation) if preservation else None,
        released_at=row["released_at"],
        released_by=row["released_by"],
        release_reason=row["release_reason"],
    )
