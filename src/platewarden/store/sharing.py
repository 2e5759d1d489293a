"""Sharing requests: kept permanently, never purged."""

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from platewarden.domain import AgencyType, ShareRequest, ShareScope, ShareStatus
from platewarden.store.schema import share_requests


def scope_json(scope: ShareScope) -> dict[str, Any]:
    """Return a scope as JSON-ready values."""
    data = asdict(scope)
    data["plates"], data["cameras"] = list(scope.plates), list(scope.cameras)
    for key in ("since", "until"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def scope_from(data: dict[str, Any]) -> ShareScope:
    """Return the scope stored as JSON."""
    return ShareScope(
        plates=tuple(data.get("plates") or ()),
        since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
        until=datetime.fromisoformat(data["until"]) if data.get("until") else None,
        cameras=tuple(data.get("cameras") or ()),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        radius_m=data.get("radius_m"),
    )


def add_request(conn: Connection, *, values: dict[str, Any]) -> int:
    """Store a request; return its id."""
    row = {**values, "scope": scope_json(values["scope"]), "status": values["status"].value}
    query = insert(share_requests).values(row).returning(share_requests.c.id)
    return conn.execute(query).scalar_one()


def update_request(conn: Connection, *, request_id: int, values: dict[str, Any]) -> None:
    """Record a decision or a fulfilment."""
    row = dict(values)
    if "status" in row:
        row["status"] = row["status"].value
    if row.get("approved_scope") is not None:
        row["approved_scope"] = scope_json(row["approved_scope"])
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
    values["scope"] = scope_from(values["scope"])
    approved = values["approved_scope"]
    values["approved_scope"] = scope_from(approved) if approved else None
    return ShareRequest(**values)
