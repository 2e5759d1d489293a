"""Audits of the trail: verify names tampering, queries filter, samples replay, findings, flags."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from tests.factories import OFFICER, T0, FixedClock, actor

from platewarden.accountability import AuditFilter, AuditReview, Finding
from platewarden.policy.access import Role
from platewarden.policy.model import AuditRules
from platewarden.services import audit_review as audits
from platewarden.services.audit import record
from platewarden.services.errors import AccessDeniedError, InvalidInputError, NotFoundError
from platewarden.services.runtime import Runtime
from platewarden.store.audit import audit_entries, entry_hash
from platewarden.store.schema import audit_log, audit_review_items

SUPERVISOR = actor(Role.SUPERVISOR, name="sgt-moss")
AUDITOR = actor(Role.AUDITOR, name="auditor")
INVESTIGATOR = actor(Role.INVESTIGATOR, name="det-ruiz")
DAY = timedelta(days=1)


def search(
    rt: Runtime,
    who: str = "det-ruiz",
    at: datetime = T0,
    *,
    action: str = "search_reads",
    results: int = 3,
    case: str = "26-1187",
    purpose: str = "major_crime",
    outcome: str = "allowed",
) -> int:
    """Write the audit record a search would, at a given time; return its id."""
    clock: FixedClock = rt.clock  # type: ignore[assignment]
    kept = clock.at
    clock.at = at
    with rt.engine.begin() as conn:
        audit_id = record(
            conn,
            rt,
            actor(Role.INVESTIGATOR, name=who),
            action,
            outcome=outcome,
            purpose=purpose,
            case_number=case,
            parameters={"plate": "ABC*"},
            result_count=results,
        )
    clock.at = kept
    return audit_id


def ids(rt: Runtime) -> list[int]:
    with rt.engine.connect() as conn:
        return list(conn.scalars(select(audit_log.c.id).order_by(audit_log.c.id)))


def test_verify_is_audited_and_names_an_edited_record(runtime: Runtime) -> None:
    first, second = search(runtime), search(runtime)
    assert audits.verify_trail(runtime, AUDITOR) == []
    with runtime.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == first).values(result_count=0))
        conn.execute(update(audit_log).where(audit_log.c.id == second).values(actor="someone"))
    assert audits.verify_trail(runtime, SUPERVISOR) == [
        f"record {first}: its content was changed",
        f"record {second}: its content was changed",
    ]
    with runtime.engine.connect() as conn:
        checks = [e for _, e in audit_entries(conn, action="audit_verify")]
    assert [(e.actor, e.outcome, e.result_count) for e in checks] == [
        ("auditor", "allowed", 0),
        ("sgt-moss", "failed", 2),
    ]


def test_verify_names_deleted_records_and_the_record_after_them(runtime: Runtime) -> None:
    first, *written = ids(runtime) + [search(runtime) for _ in range(5)]
    with runtime.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.id.in_([first, *written[1:3]])))
    assert audits.verify_trail(runtime, AUDITOR) == [
        f"record {written[0]}: does not follow the record before it",
        f"record {written[3]}: does not follow the record before it",
        f"record {first}: deleted",
        f"records {written[1]}–{written[2]}: deleted",
    ]


def test_verify_names_records_put_in_another_order(runtime: Runtime) -> None:
    a, b, c = (search(runtime, at=T0 + timedelta(seconds=n)) for n in range(3))
    parked = max(ids(runtime)) + 100
    with runtime.engine.begin() as conn:  # swap a and b through a free id
        for old, new in ((a, parked), (b, a), (parked, b)):
            conn.execute(update(audit_log).where(audit_log.c.id == old).values(id=new))
    problems = audits.verify_trail(runtime, AUDITOR)
    assert problems == [
        f"record {a}: does not follow the record before it",
        f"record {b}: does not follow the record before it",
        f"record {c}: does not follow the record before it",
    ]


def rewritten(audit_id: int) -> str:
    gist = "records up to it were deleted or rewritten"
    return f"record {audit_id} does not match the anchor: {gist}"


def test_an_anchor_shows_the_newest_records_deleted(runtime: Runtime) -> None:
    search(runtime)
    anchor = audits.chain_anchor(runtime, AUDITOR)
    assert audits.verify_trail(runtime, AUDITOR, anchor) == []
    later = search(runtime)
    with runtime.engine.begin() as conn:  # cut the chain's end: what it alone cannot show
        conn.execute(delete(audit_log).where(audit_log.c.id >= anchor[0]))
    assert later > anchor[0]
    cut = [f"record {anchor[0]}, named by the anchor, is gone: records were deleted"]
    assert audits.verify_trail(runtime, AUDITOR, anchor) == cut
    # The chain alone cannot tell; its check is appended where the anchor's record stood, and
    # SQLite may give it the same number, which the anchor still tells apart.
    assert audits.verify_trail(runtime, AUDITOR) == []
    assert audits.verify_trail(runtime, AUDITOR, anchor) in (cut, [rewritten(anchor[0])])


def test_an_anchor_shows_a_trail_rewritten_with_its_hashes(runtime: Runtime) -> None:
    first = search(runtime)
    anchor = audits.chain_anchor(runtime, AUDITOR)
    with runtime.engine.begin() as conn:  # change a search and recompute every hash after it
        conn.execute(update(audit_log).where(audit_log.c.id == first).values(result_count=0))
        prev = conn.scalar(select(audit_log.c.prev_hash).where(audit_log.c.id == first))
        for audit_id, entry in audit_entries(conn):
            if audit_id >= first:
                digest = entry_hash(prev, entry)
                conn.execute(
                    update(audit_log)
                    .where(audit_log.c.id == audit_id)
                    .values(prev_hash=prev, hash=digest)
                )
                prev = digest
    assert audits.verify_trail(runtime, AUDITOR, anchor) == [rewritten(anchor[0])]


def test_taking_an_anchor_needs_the_audit_view(runtime: Runtime) -> None:
    with pytest.raises(AccessDeniedError):
        audits.chain_anchor(runtime, INVESTIGATOR)


def test_query_filters_by_member_window_case_purpose_and_action(runtime: Runtime) -> None:
    wanted = search(
        runtime, "det-ruiz", T0 + timedelta(hours=1), case="26-9", purpose="stolen_vehicle"
    )
    search(runtime, "det-ruiz", T0 + timedelta(hours=1), case="26-10")
    search(runtime, "det-ruiz", T0 + 2 * DAY, case="26-9", purpose="stolen_vehicle")
    search(runtime, "ofc-lee", T0 + timedelta(hours=1), case="26-9", purpose="stolen_vehicle")
    search(runtime, "det-ruiz", T0 + timedelta(hours=1), case="26-9", action="query_plate")
    where = AuditFilter(
        actor="det-ruiz",
        since=T0,
        until=T0 + DAY,
        case_number="26-9",
        purpose="stolen_vehicle",
        action="search_reads",
    )
    assert [r.id for r in audits.query_audit(runtime, AUDITOR, where=where)] == [wanted]
    assert len(audits.query_audit(runtime, AUDITOR, where=AuditFilter(case_number="26-9"))) == 4
    assert len(audits.query_audit(runtime, AUDITOR, where=AuditFilter(), limit=2)) == 2
    with runtime.engine.connect() as conn:
        (_, logged), *_ = audit_entries(conn, action="audit_query")
    assert logged.parameters == {
        "actor": "det-ruiz",
        "since": T0.isoformat(),
        "until": (T0 + DAY).isoformat(),
        "case_number": "26-9",
        "purpose": "stolen_vehicle",
        "action": "search_reads",
        "limit": 500,
    }
    assert logged.result_count == 1


def test_query_filters_by_outcome_and_pages_after_a_record(runtime: Runtime) -> None:
    allowed = [search(runtime) for _ in range(3)]
    denied = search(runtime, outcome="denied")
    where = AuditFilter(action="search_reads", outcome="denied")
    assert [r.id for r in audits.query_audit(runtime, AUDITOR, where=where)] == [denied]
    first = audits.query_audit(
        runtime, AUDITOR, where=AuditFilter(action="search_reads", outcome="allowed"), limit=2
    )
    assert [r.id for r in first] == allowed[:2]
    after = AuditFilter(action="search_reads", outcome="allowed", after_id=first[-1].id)
    assert [r.id for r in audits.query_audit(runtime, AUDITOR, where=after)] == allowed[2:]


def test_reviews_are_listed_newest_first_without_drawing_any(runtime: Runtime) -> None:
    search(runtime, at=T0 - DAY)
    assert audits.list_reviews(runtime, SUPERVISOR) == []
    older = audits.sample_searches(runtime, SUPERVISOR, since=T0 - DAY, until=T0, size=1)
    newer = audits.sample_searches(runtime, AUDITOR, since=T0 - DAY, until=T0, size=1)
    (item,) = older.items
    audits.review_search(runtime, AUDITOR, review_id=older.id, item_id=item.id, finding="justified")
    assert [r.id for r in audits.list_reviews(runtime, AUDITOR)] == [newer.id, older.id]
    (still_open,) = audits.list_reviews(runtime, AUDITOR, open_only=True)
    assert still_open.id == newer.id and still_open.items[0].finding is None
    with pytest.raises(AccessDeniedError, match="view_audit"):
        audits.list_reviews(runtime, OFFICER)


def test_query_refuses_a_backwards_window(runtime: Runtime) -> None:
    with pytest.raises(InvalidInputError, match="until: must be after since"):
        audits.query_audit(runtime, AUDITOR, where=AuditFilter(since=T0, until=T0))


def test_an_officer_may_not_read_or_sample_the_trail(runtime: Runtime) -> None:
    with pytest.raises(AccessDeniedError, match="view_audit needs one of the roles auditor"):
        audits.query_audit(runtime, OFFICER, where=AuditFilter())
    with pytest.raises(AccessDeniedError):
        audits.verify_trail(runtime, OFFICER)
    with pytest.raises(AccessDeniedError, match="review_audit"):
        audits.sample_searches(runtime, OFFICER, since=T0 - DAY, until=T0, size=1)
    with runtime.engine.connect() as conn:
        denied = [e.action for _, e in audit_entries(conn) if e.outcome == "denied"]
    assert denied == ["view_audit", "view_audit", "review_audit"]


def test_a_sample_replays_with_its_seed_and_holds_only_allowed_searches(
    runtime: Runtime, clock: FixedClock
) -> None:
    searches = [search(runtime, at=T0 - DAY + timedelta(minutes=n)) for n in range(12)]
    searches.append(search(runtime, at=T0 - DAY, action="query_plate"))
    search(runtime, at=T0 - DAY, outcome="denied")
    search(runtime, at=T0 - DAY, action="view_hold")
    search(runtime, at=T0 - 3 * DAY)  # before the period
    search(runtime, at=T0 - DAY, action="audit_query")  # an audit, not a search

    first = audits.sample_searches(runtime, SUPERVISOR, since=T0 - DAY, until=T0, size=5, seed=42)
    again = audits.sample_searches(runtime, AUDITOR, since=T0 - DAY, until=T0, size=5, seed=42)
    other = audits.sample_searches(runtime, AUDITOR, since=T0 - DAY, until=T0, size=5, seed=7)

    def picked(review: AuditReview) -> list[int]:
        return [i.record.id for i in review.items]

    assert len(picked(first)) == 5 and set(picked(first)) <= set(searches)
    assert picked(again) == picked(first) != picked(other)
    assert (first.seed, first.sample_size, first.created_by) == (42, 5, "sgt-moss")
    everything = audits.sample_searches(runtime, AUDITOR, since=T0 - DAY, until=T0, size=50)
    assert picked(everything) == searches


def test_a_sample_refuses_an_empty_or_unfinished_period(runtime: Runtime) -> None:
    with pytest.raises(InvalidInputError, match="period: holds no searches"):
        audits.sample_searches(runtime, AUDITOR, since=T0 - DAY, until=T0, size=3)
    with pytest.raises(InvalidInputError) as raised:
        audits.sample_searches(runtime, AUDITOR, since=T0, until=T0 + DAY, size=0)
    assert [p.where for p in raised.value.problems] == ["until", "size"]


def test_findings_are_recorded_once_and_close_the_review(runtime: Runtime) -> None:
    search(runtime, at=T0 - DAY)
    search(runtime, "sgt-moss", at=T0 - DAY)
    review = audits.sample_searches(runtime, SUPERVISOR, since=T0 - DAY, until=T0, size=2, seed=1)
    theirs, own = sorted(review.items, key=lambda i: i.record.actor == "sgt-moss")

    with pytest.raises(InvalidInputError, match="notes: say why"):
        audits.review_search(
            runtime, SUPERVISOR, review_id=review.id, item_id=theirs.id, finding="not_justified"
        )
    with pytest.raises(InvalidInputError, match="is your own search"):
        audits.review_search(
            runtime, SUPERVISOR, review_id=review.id, item_id=own.id, finding="justified"
        )
    done = audits.review_search(
        runtime,
        SUPERVISOR,
        review_id=review.id,
        item_id=theirs.id,
        finding=Finding.NOT_JUSTIFIED,
        notes="case 26-1187 names no vehicle",
    )
    assert (done.finding, done.reviewed_by, done.reviewed_at) == ("not_justified", "sgt-moss", T0)
    with pytest.raises(InvalidInputError, match="was reviewed already by sgt-moss"):
        audits.review_search(
            runtime, AUDITOR, review_id=review.id, item_id=theirs.id, finding="justified"
        )
    audits.review_search(runtime, AUDITOR, review_id=review.id, item_id=own.id, finding="justified")

    report = audits.review_report(runtime, AUDITOR, review_id=review.id)
    assert (report.justified, report.not_justified, report.pending) == (1, 1, 0)
    assert report.review.closed_at == T0
    with runtime.engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(audit_review_items))
        reviews = [e.parameters for _, e in audit_entries(conn, action="audit_review")]
    assert stored == 2
    assert [p["finding"] for p in reviews] == ["not_justified", "justified"]


def test_a_finding_needs_a_known_review_item_and_finding(runtime: Runtime) -> None:
    search(runtime, at=T0 - DAY)
    review = audits.sample_searches(runtime, AUDITOR, since=T0 - DAY, until=T0, size=1)
    with pytest.raises(NotFoundError, match="no audit review 99"):
        audits.review_search(runtime, AUDITOR, review_id=99, item_id=1, finding="justified")
    with pytest.raises(NotFoundError, match=f"audit review {review.id} has no item 99"):
        audits.review_search(runtime, AUDITOR, review_id=review.id, item_id=99, finding="justified")
    with pytest.raises(InvalidInputError, match="'maybe' is not one of"):
        audits.review_search(
            runtime, AUDITOR, review_id=review.id, item_id=review.items[0].id, finding="maybe"
        )


def test_report_flags_empty_searches_busy_days_and_unusual_hours(runtime: Runtime) -> None:
    runtime.policy = runtime.policy.model_copy(
        update={"audit": AuditRules(many_searches_per_day=20, unusual_hour_share=0.05)}
    )
    start = T0 - 3 * DAY
    day_shift = [
        search(runtime, "det-ruiz", start + timedelta(days=n % 2, hours=9, minutes=n))
        for n in range(24)
    ]
    odd_one = search(runtime, "det-ruiz", start + timedelta(hours=3), results=0)
    newcomer = [search(runtime, "ofc-new", start + timedelta(hours=h)) for h in (2, 14, 23)]
    review = audits.sample_searches(runtime, AUDITOR, since=start, until=T0, size=3, seed=5)

    report = audits.review_report(runtime, SUPERVISOR, review_id=review.id)

    assert report.searches == len(day_shift) + 1 + len(newcomer)
    assert [r.id for r in report.without_results] == [odd_one]
    assert report.busy_days == ()
    (odd,) = report.unusual_hours
    assert (odd.actor, odd.hour, odd.record_ids) == ("det-ruiz", 15, (odd_one,))
    assert odd.share == pytest.approx(1 / 25)
    assert report.pending == 3

    runtime.policy = runtime.policy.model_copy(
        update={"audit": AuditRules(many_searches_per_day=12, unusual_hour_share=0.05)}
    )
    busy = audits.review_report(runtime, AUDITOR, review_id=review.id).busy_days
    assert [(b.actor, b.day, b.searches) for b in busy] == [("det-ruiz", start.date(), 13)]
