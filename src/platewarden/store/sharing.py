"""Sharing requests: kept permanently, never purged."""

from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from platewarden.domain import AgencyType, ShareRequest, ShareStatus
from platewarden.selection import ReadSelection
from platewarden.store.schema import share_requests


def add_request(conn: Connection, *, values: dict[str, Any]) -> int:
    """Store a request; return its id."""
    row = {**values, "scope": values["scope"].as_json(), "status": values["status"].value}
    query = insert(share_requests).values(row).returning(share_requests.c.id)
    return conn.execute(query).scalar_one()


def update_request(conn: Connection, *, request_id: int, values: dict[str, Any]) -> None:
    """Record a decision or a fulfilment."""
    row = dict(values)
    if "status" in row:
        row["status"] = row["status"].value
    if row.get("approved_scope") is not None:
        row["approved_scope"] = row["approved_scope"].as_json()
    conn.execute(update(share_requests).where(share_requests.c.id == request_id).values(row))


def get_request(conn: Connection, *, request_id: int) -> ShareRequest | None:
    """Return a request by id."""
    query = select(share_requests).where(share_requests.c.id == request_id)
    row = conn.execute(query).mappings().first()
    return _request(row) if row else None


def request_document(conn: Connection, *, request_id: int) -> bytes | None:
    """Return the sealed written request."""
    query = select(share_requests.c.document).where(share_requests.c.id == request_id)
    return conn.scalar(query)


def list_requests(
    conn: Connection, *, direction: str | None = None, status: ShareStatus | None = None
) -> list[ShareRequest]:
    """Return requests, newest first."""
    query = select(share_requests).order_by(share_requests.c.id.desc())
    if direction is not None:
        query = query.where(share_requests.c.direction == direction)
    if status is not None:
        query = query.where(share_requests.c.status == status.value)
    return [_request(row) for row in conn.execute(query).mappings()]


def _request(row: RowMapping) -> ShareRequest:
    values = {k: v for k, v in row.items() if k not in {"document", "entered_at"}}
    values["agency_type"] = AgencyType(values["agency_type"])
    values["status"] = ShareStatus(values["status"])
    values["scope"] = ReadSelection.from_json(values["scope"])
    approved = values["approved_scope"]
    values["approved_scope"] = ReadSelection.from_json(approved) if approved else None
    return ShareRequest(**values)
