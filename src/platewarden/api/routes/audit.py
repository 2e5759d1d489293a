"""The audit trail for auditors and supervisors: query, verify, anchor, sample and review."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from platewarden.accountability import AuditFilter, Finding
from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.services import audit_review

router = APIRouter(prefix="/audit", tags=["audit"])

RecordNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]


class Query(BaseModel):
    """Which records: None matches anything (names and cases go in the body, not the URL)."""

    actor: Annotated[str | None, Field(max_length=100)] = None
    since: datetime | None = None
    until: datetime | None = None
    case_number: Annotated[str | None, Field(max_length=64)] = None
    purpose: Annotated[str | None, Field(max_length=64)] = None
    action: Annotated[str | None, Field(max_length=64)] = None
    limit: Annotated[int, Field(ge=1, le=5000)] = 500


class Anchor(BaseModel):
    """A head of the chain taken earlier and kept outside the system."""

    record: Annotated[int, Field(ge=1)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Sample(BaseModel):
    """A random sample of a period's searches for review."""

    since: datetime
    until: datetime
    size: Annotated[int, Field(ge=1, le=1000)]
    seed: int | None = None


class Review(BaseModel):
    """The finding on one sampled search."""

    finding: Finding
    notes: Annotated[str | None, Field(max_length=4000)] = None


@router.post("/query")
def query(rt: RuntimeDep, actor: CurrentActor, body: Query) -> list[Any]:
    """Return the matching records in chain order."""
    where = AuditFilter(**body.model_dump(exclude={"limit"}))
    return to_json(audit_review.query_audit(rt, actor, where=where, limit=body.limit))


@router.post("/verification")
def verify(rt: RuntimeDep, actor: CurrentActor, body: Anchor | None = None) -> dict[str, Any]:
    """Check the hash chain (against an anchor, if given); list every problem found."""
    anchor = (body.record, body.hash) if body else None
    problems = audit_review.verify_trail(rt, actor, anchor)
    return {"intact": not problems, "problems": problems}


@router.post("/anchor", status_code=201)
def anchor(rt: RuntimeDep, actor: CurrentActor) -> dict[str, Any]:
    """Take the chain's head to keep outside the system."""
    record, head = audit_review.chain_anchor(rt, actor)
    return {"record": record, "hash": head}


@router.post("/reviews", status_code=201)
def sample(rt: RuntimeDep, actor: CurrentActor, body: Sample) -> dict[str, Any]:
    """Draw a sample of searches for a supervisor's review."""
    return to_json(audit_review.sample_searches(rt, actor, **body.model_dump()))


@router.get("/reviews/{review_id}", responses=problems.responses(404))
def review_report(rt: RuntimeDep, actor: CurrentActor, review_id: RecordNumber) -> dict[str, Any]:
    """Return a review with its findings so far."""
    return to_json(audit_review.review_report(rt, actor, review_id=review_id))


@router.post("/reviews/{review_id}/items/{item_id}", responses=problems.responses(404))
def review(
    rt: RuntimeDep,
    actor: CurrentActor,
    review_id: RecordNumber,
    item_id: RecordNumber,
    body: Review,
) -> dict[str, Any]:
    """Record the finding on one sampled search."""
    found = audit_review.review_search(
        rt, actor, review_id=review_id, item_id=item_id, finding=body.finding, notes=body.notes
    )
    return to_json(found)
