"""Reading the audit trail for audits, and the audit reviews with their sampled items.

Nothing here changes audit_log: findings go in audit_review_items.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, RowMapping, Select, func, insert, or_, select, update

from platewarden.accountability import (
    AuditFilter,
    AuditRecord,
    AuditReview,
    Finding,
    ReviewItem,
)
from platewarden.store.audit import GENESIS
from platewarden.store.schema import audit_log, audit_review_items, audit_reviews


def find_audit(
    conn: Connection,
    *,
    where: AuditFilter,
    action_prefixes: Sequence[str] = (),
    outcome: str | None = None,
    limit: int | None = None,
) -> list[AuditRecord]:
    """Return audit records matching the filter, in chain order."""
    query = _filtered(select(audit_log), where)
    if action_prefixes:
        query = query.where(
            or_(*(audit_log.c.action.startswith(p, autoescape=True) for p in action_prefixes))
        )
    if outcome is not None:
        query = query.where(audit_log.c.outcome == outcome)
    query = query.order_by(audit_log.c.id)
    if limit is not None:
        query = query.limit(limit)
    return [_audit_record(row) for row in conn.execute(query).mappings()]


def deleted_ranges(conn: Connection) -> list[tuple[int, int]]:
    """Return the id ranges (first, last) missing where the chain's link is also broken.

    An id gap alone is no sign (a PostgreSQL sequence skips on a rolled-back append); a gap where
    the next record does not follow the one before it is where records were deleted.
    """
    ordered = select(
        audit_log.c.id,
        audit_log.c.prev_hash,
        func.lag(audit_log.c.id).over(order_by=audit_log.c.id).label("before_id"),
        func.lag(audit_log.c.hash).over(order_by=audit_log.c.id).label("before_hash"),
    ).subquery()
    rows = conn.execute(
        select(ordered.c.id, ordered.c.before_id)
        .where(
            ordered.c.prev_hash != func.coalesce(ordered.c.before_hash, GENESIS),
            ordered.c.id > func.coalesce(ordered.c.before_id, 0) + 1,
        )
        .order_by(ordered.c.id)
    )
    return [((before or 0) + 1, id_ - 1) for id_, before in rows]


def add_review(
    conn: Connection,
    *,
    period_start: datetime,
    period_end: datetime,
    sample_size: int,
    seed: int,
    created_by: str,
    created_at: datetime,
    audit_ids: Sequence[int],
) -> int:
    """Insert a review and its items (one per audit record); return the review's id."""
    values = {
        "period_start": period_start,
        "period_end": period_end,
        "sample_size": sample_size,
        "seed": seed,
        "created_by": created_by,
        "created_at": created_at,
    }
    review_id = conn.execute(
        insert(audit_reviews).values(values).returning(audit_reviews.c.id)
    ).scalar_one()
    if audit_ids:
        conn.execute(
            insert(audit_review_items),
            [{"review_id": review_id, "audit_id": audit_id} for audit_id in audit_ids],
        )
    return review_id


def get_review(conn: Connection, *, review_id: int) -> AuditReview | None:
    """Return a review with its items (and their audit records), or None."""
    row = conn.execute(select(audit_reviews).where(audit_reviews.c.id == review_id)).mappings()
    found = row.first()
    if found is None:
        return None
    items = conn.execute(
        select(audit_review_items, *(c.label(f"log_{c.name}") for c in audit_log.c))
        .join(audit_log, audit_log.c.id == audit_review_items.c.audit_id)
        .where(audit_review_items.c.review_id == review_id)
        .order_by(audit_review_items.c.id)
    ).mappings()
    return AuditReview(
        id=found["id"],
        period_start=found["period_start"],
        period_end=found["period_end"],
        sample_size=found["sample_size"],
        seed=found["seed"],
        created_by=found["created_by"],
        created_at=found["created_at"],
        closed_at=found["closed_at"],
        items=tuple(_item(item) for item in items),
    )


def list_reviews(conn: Connection, *, open_only: bool, limit: int) -> list[AuditReview]:
    """Return the latest reviews first (only those still open if asked), with their items."""
    query = select(audit_reviews.c.id).order_by(audit_reviews.c.id.desc()).limit(limit)
    if open_only:
        query = query.where(audit_reviews.c.closed_at.is_(None))
    found = (get_review(conn, review_id=review_id) for review_id in conn.scalars(query))
    return [review for review in found if review is not None]


def set_finding(
    conn: Connection,
    *,
    item_id: int,
    finding: Finding,
    notes: str | None,
    reviewed_by: str,
    reviewed_at: datetime,
) -> None:
    """Record the finding of one item."""
    conn.execute(
        update(audit_review_items)
        .where(audit_review_items.c.id == item_id)
        .values(
            finding=finding.value, notes=notes, reviewed_by=reviewed_by, reviewed_at=reviewed_at
        )
    )


def close_review(conn: Connection, *, review_id: int, closed_at: datetime) -> None:
    """Mark a review closed: every item has its finding."""
    conn.execute(
        update(audit_reviews).where(audit_reviews.c.id == review_id).values(closed_at=closed_at)
    )


def _filtered(query: Select, where: AuditFilter) -> Select:
    exact = {
        audit_log.c.actor: where.actor,
        audit_log.c.case_number: where.case_number,
        audit_log.c.purpose: where.purpose,
        audit_log.c.action: where.action,
        audit_log.c.outcome: where.outcome,
    }
    for column, value in exact.items():
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(audit_log.c.at >= where.since)
    if where.until is not None:
        query = query.where(audit_log.c.at < where.until)
    if where.after_id is not None:
        query = query.where(audit_log.c.id > where.after_id)
    return query


def _audit_record(r: RowMapping, prefix: str = "") -> AuditRecord:
    return AuditRecord(
        id=r[f"{prefix}id"],
        at=r[f"{prefix}at"],
        actor=r[f"{prefix}actor"],
        action=r[f"{prefix}action"],
        outcome=r[f"{prefix}outcome"],
        reason=r[f"{prefix}reason"],
        purpose=r[f"{prefix}purpose"],
        case_number=r[f"{prefix}case_number"],
        parameters=r[f"{prefix}parameters"] or {},
        result_count=r[f"{prefix}result_count"],
        client_address=r[f"{prefix}client_address"],
    )


def _item(r: RowMapping) -> ReviewItem:
    return ReviewItem(
        id=r["id"],
        review_id=r["review_id"],
        record=_audit_record(r, prefix="log_"),
        finding=Finding(r["finding"]) if r["finding"] else None,
        notes=r["notes"],
        reviewed_by=r["reviewed_by"],
        reviewed_at=r["reviewed_at"],
    )
