"""Audits of the audit trail: verify its chain, query it, and review a random sample of searches.

Reading the trail (verify, query, report) needs Action.VIEW_AUDIT; drawing a sample and recording
findings need Action.REVIEW_AUDIT (supervisors and auditors). Every call is itself audited, under
action names that start with "audit_", so that an audit is never taken for a data search. The
audit records themselves are never changed: findings go in the review's items.
"""

import random
import secrets
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection

from platewarden.accountability import (
    AuditFilter,
    AuditRecord,
    AuditReview,
    BusyDay,
    Finding,
    ReviewItem,
    ReviewReport,
    UnusualHour,
)
from platewarden.domain import Actor
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem
from platewarden.services.runtime import Runtime
from platewarden.store import reviews as store
from platewarden.store.audit import anchor_problems, chain_head, verify_chain

# Data searches: the search service writes "search_reads" and "query_plate".
SEARCH_PREFIXES = ("search", "query")
# A member with fewer searches in the period has no usual hours yet: a handful of searches says
# little about when someone works, and every new member would be flagged.
MIN_SEARCHES_FOR_USUAL_HOURS = 20
MAX_SAMPLE_SIZE = 1000


def verify_trail(rt: Runtime, actor: Actor, anchor: tuple[int, str] | None = None) -> list[str]:
    """Walk the hash chain, audit the check, and return every problem found (none when intact).

    anchor is a (record id, hash) taken earlier by chain_anchor and kept outside the system: it
    shows deletions at the chain's end and a rewritten trail, which the chain alone cannot.
    Auditors and supervisors run it, and the scheduled job as the system.
    """
    authorize(rt, actor, Action.VIEW_AUDIT)
    with rt.engine.begin() as conn:
        problems = verify_chain(conn) + [
            f"record {first}: deleted" if first == last else f"records {first}–{last}: deleted"
            for first, last in store.deleted_ranges(conn)
        ]
        if anchor is not None:
            problems += anchor_problems(conn, anchor)
        record(
            conn,
            rt,
            actor,
            "audit_verify",
            outcome="failed" if problems else "allowed",  # a broken chain stands out in queries
            reason=f"{len(problems)} broken links" if problems else "chain intact",
            parameters={"broken": problems[:50], "anchor": list(anchor) if anchor else None},
            result_count=len(problems),
        )
    return problems


def chain_anchor(rt: Runtime, actor: Actor) -> tuple[int, str]:
    """Record that an anchor was taken and return it: the id and hash of that very record.

    Kept outside the system (printed, mailed, in the yearly report), it lets a later verify show
    that records up to it were deleted or rewritten.
    """
    authorize(rt, actor, Action.VIEW_AUDIT)
    with rt.engine.begin() as conn:
        record(conn, rt, actor, "audit_anchor", reason="chain head taken to keep outside")
        head = chain_head(conn)
    assert head is not None  # the record just written
    return head


def query_audit(
    rt: Runtime, actor: Actor, *, where: AuditFilter, limit: int = 500
) -> list[AuditRecord]:
    """Return the audit records that match the filter, in chain order, up to the limit."""
    parameters = {**_describe(where), "limit": limit}
    authorize(rt, actor, Action.VIEW_AUDIT, parameters=parameters)
    problems = _window_problems(where.since, where.until)
    if limit < 1:
        problems.append(Problem("limit", "must be at least 1"))
    if problems:
        raise InvalidInputError("audit query refused:", problems)
    with rt.engine.begin() as conn:
        found = store.find_audit(conn, where=where, limit=limit)
        record(conn, rt, actor, "audit_query", parameters=parameters, result_count=len(found))
    return found


def sample_searches(
    rt: Runtime,
    actor: Actor,
    *,
    since: datetime,
    until: datetime,
    size: int,
    seed: int | None = None,
) -> AuditReview:
    """Draw a review of `size` searches of the period at random; the same seed draws the same.

    Only searches that were allowed count: a denied one reached no data. A period with fewer
    searches than `size` gives all of them.
    """
    seed = secrets.randbits(62) if seed is None else seed
    parameters = {**_describe(AuditFilter(since=since, until=until)), "size": size, "seed": seed}
    authorize(rt, actor, Action.REVIEW_AUDIT, parameters=parameters)
    problems = _window_problems(since, until)
    if until > rt.clock.now():
        problems.append(Problem("until", "is in the future; sample a period that has ended"))
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        problems.append(Problem("size", f"must be from 1 to {MAX_SAMPLE_SIZE}"))
    if not 0 <= seed < 2**63:
        problems.append(Problem("seed", "must be from 0 to 2**63 - 1"))
    if problems:
        raise InvalidInputError("audit sample not drawn:", problems)
    with rt.engine.begin() as conn:
        ids = [s.id for s in _searches(conn, since, until)]
        if not ids:
            raise InvalidInputError(
                "audit sample not drawn:", [Problem("period", "holds no searches to review")]
            )
        chosen = sorted(random.Random(seed).sample(ids, min(size, len(ids))))
        review_id = store.add_review(
            conn,
            period_start=since,
            period_end=until,
            sample_size=size,
            seed=seed,
            created_by=actor.name,
            created_at=rt.clock.now(),
            audit_ids=chosen,
        )
        record(
            conn,
            rt,
            actor,
            "audit_sample",
            parameters={**parameters, "review": review_id},
            result_count=len(chosen),
        )
        review = store.get_review(conn, review_id=review_id)
    assert review is not None
    return review


def review_search(
    rt: Runtime,
    actor: Actor,
    *,
    review_id: int,
    item_id: int,
    finding: Finding | str,
    notes: str | None = None,
) -> ReviewItem:
    """Record whether one sampled search was justified; a finding, once recorded, stands."""
    parameters = {"review": review_id, "item": item_id, "finding": str(finding)}
    authorize(rt, actor, Action.REVIEW_AUDIT, parameters=parameters)
    notes = notes.strip() if notes and notes.strip() else None
    with rt.engine.begin() as conn:
        review = store.get_review(conn, review_id=review_id)
        if review is None:
            raise NotFoundError(f"there is no audit review {review_id}")
        item = next((i for i in review.items if i.id == item_id), None)
        if item is None:
            raise NotFoundError(f"audit review {review_id} has no item {item_id}")
        problems = _finding_problems(actor, item, finding, notes)
        if problems:
            raise InvalidInputError(f"finding on item {item_id} not recorded:", problems)
        now = rt.clock.now()
        store.set_finding(
            conn,
            item_id=item_id,
            finding=Finding(finding),
            notes=notes,
            reviewed_by=actor.name,
            reviewed_at=now,
        )
        if all(i.finding is not None for i in review.items if i.id != item_id):
            store.close_review(conn, review_id=review_id, closed_at=now)
        record(
            conn,
            rt,
            actor,
            "audit_review",
            parameters={**parameters, "audit_record": item.record.id},
        )
    return replace(
        item, finding=Finding(finding), notes=notes, reviewed_by=actor.name, reviewed_at=now
    )


def review_report(rt: Runtime, actor: Actor, *, review_id: int) -> ReviewReport:
    """Return a review's findings and the flags of its period."""
    authorize(rt, actor, Action.VIEW_AUDIT, parameters={"review": review_id})
    with rt.engine.begin() as conn:
        review = store.get_review(conn, review_id=review_id)
        if review is None:
            raise NotFoundError(f"there is no audit review {review_id}")
        searches = _searches(conn, review.period_start, review.period_end)
        findings = Counter(item.finding for item in review.items)
        report = ReviewReport(
            review=review,
            justified=findings[Finding.JUSTIFIED],
            not_justified=findings[Finding.NOT_JUSTIFIED],
            pending=findings[None],
            searches=len(searches),
            without_results=tuple(s for s in searches if s.result_count == 0),
            busy_days=busy_days(searches, rt.policy.audit.many_searches_per_day),
            unusual_hours=unusual_hours(searches, rt.policy.audit.unusual_hour_share),
        )
        record(
            conn,
            rt,
            actor,
            "audit_report",
            parameters={"review": review_id},
            result_count=len(review.items),
        )
    return report


def list_reviews(
    rt: Runtime, actor: Actor, *, open_only: bool = False, limit: int = 50
) -> list[AuditReview]:
    """Return the latest reviews first, with their items (only open ones if asked); draws none."""
    parameters = {"open_only": open_only, "limit": limit}
    authorize(rt, actor, Action.VIEW_AUDIT, parameters=parameters)
    if limit < 1:
        raise InvalidInputError("reviews not listed:", [Problem("limit", "must be at least 1")])
    with rt.engine.begin() as conn:
        found = store.list_reviews(conn, open_only=open_only, limit=limit)
        record(conn, rt, actor, "audit_reviews", parameters=parameters, result_count=len(found))
    return found


def busy_days(searches: list[AuditRecord], many: int) -> tuple[BusyDay, ...]:
    """Return each member's UTC days with more than `many` searches."""
    per_day = Counter((s.actor, s.at.date()) for s in searches)
    return tuple(
        BusyDay(actor, day, count)
        for (actor, day), count in sorted(per_day.items())
        if count > many
    )


def unusual_hours(searches: list[AuditRecord], share: float) -> tuple[UnusualHour, ...]:
    """Return the searches at UTC hours holding less than `share` of the member's searches.

    Members with fewer than MIN_SEARCHES_FOR_USUAL_HOURS searches are not judged. UTC hours serve
    as well as local ones: the comparison is of a member with themself.
    """
    by_member: dict[str, list[AuditRecord]] = defaultdict(list)
    for s in searches:
        by_member[s.actor].append(s)
    flags = []
    for member, theirs in sorted(by_member.items()):
        if len(theirs) < MIN_SEARCHES_FOR_USUAL_HOURS:
            continue
        by_hour: dict[int, list[int]] = defaultdict(list)
        for s in theirs:
            by_hour[s.at.hour].append(s.id)
        flags += [
            UnusualHour(member, hour, len(ids) / len(theirs), tuple(ids))
            for hour, ids in sorted(by_hour.items())
            if len(ids) / len(theirs) < share
        ]
    return tuple(flags)


def _searches(conn: Connection, since: datetime, until: datetime) -> list[AuditRecord]:
    return store.find_audit(
        conn,
        where=AuditFilter(since=since, until=until),
        action_prefixes=SEARCH_PREFIXES,
        outcome="allowed",
    )


def _finding_problems(
    actor: Actor, item: ReviewItem, finding: Finding | str, notes: str | None
) -> list[Problem]:
    problems = []
    if finding not in set(Finding):
        problems.append(Problem("finding", f"{finding!r} is not one of justified, not_justified"))
    elif finding == Finding.NOT_JUSTIFIED and notes is None:
        problems.append(Problem("notes", "say why the search was not justified"))
    if item.finding is not None:
        problems.append(
            Problem("item", f"was reviewed already by {item.reviewed_by} ({item.finding})")
        )
    if item.record.actor == actor.name:
        problems.append(Problem("item", "is your own search; another member must review it"))
    return problems


def _window_problems(since: datetime | None, until: datetime | None) -> list[Problem]:
    if since is not None and until is not None and until <= since:
        return [Problem("until", "must be after since")]
    return []


def _describe(where: AuditFilter) -> dict[str, object]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in vars(where).items()
        if value is not None
    }
