"""The audit trail for supervisors and auditors: filters, the chain's check, samples and reviews.

Everything the CLI's `platewarden audit` offers (query, verify, anchor, sample, review, report),
through the same services. Filters naming a member or a case are posted, never put in a URL.
"""

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from platewarden.accountability import AuditFilter, Finding
from platewarden.api.deps import RuntimeDep
from platewarden.domain import Actor
from platewarden.local_time import local, read_time
from platewarden.policy.access import Action
from platewarden.services import audit_review
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.report import FIRST_YEAR, local_start
from platewarden.services.runtime import Runtime
from platewarden.web.render import console_router, is_htmx, may, render
from platewarden.web.session import Member

router = console_router()

PAGE_SIZE = 100
OUTCOMES = ("allowed", "denied", "failed", "withheld")
HEX = frozenset("0123456789abcdef")
RecordNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
Short = Annotated[str, Form(max_length=100)]
Moment = Annotated[str, Form(max_length=32)]


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """The trail of the last day, the chain's check, and the samples drawn for review."""
    where = AuditFilter(since=rt.clock.now() - timedelta(days=1))
    return _page(request, rt, actor, where, {"since": _field_time(rt, where.since)})


@router.post("/audit/records", response_class=HTMLResponse)
def records(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    member: Short = "",
    action: Short = "",
    outcome: Short = "",
    purpose: Short = "",
    case_number: Annotated[str, Form(max_length=64)] = "",
    since: Moment = "",
    until: Moment = "",
    after_id: Annotated[int | None, Form(ge=0, le=2**31 - 1)] = None,
) -> HTMLResponse:
    """The records that match the posted filters, a page at a time, in chain order."""
    form = {
        "member": member.strip(),
        "action": action.strip(),
        "outcome": outcome,
        "purpose": purpose,
        "case_number": case_number.strip(),
        "since": since,
        "until": until,
    }
    where = AuditFilter(
        actor=form["member"] or None,
        action=form["action"] or None,
        outcome=outcome or None,
        purpose=purpose or None,
        case_number=form["case_number"] or None,
        since=_parse_time(rt, "since", since),
        until=_parse_time(rt, "until", until),
        after_id=after_id or None,
    )
    if is_htmx(request):
        context = _trail(rt, actor, where)
        return render(request, "audit/_trail.html", actor=actor, form=form, **context)
    return _page(request, rt, actor, where, form)


def _page(
    request: Request, rt: Runtime, actor: Actor, where: AuditFilter, form: dict[str, str]
) -> HTMLResponse:
    trail = _trail(rt, actor, where)
    reviews = audit_review.list_reviews(rt, actor, limit=24)
    return render(
        request,
        "audit/page.html",
        actor=actor,
        form=form,
        purposes=rt.policy.purposes,
        outcomes=OUTCOMES,
        reviews=reviews,
        last_month=_last_month(rt),
        **trail,
    )


def _trail(rt: Runtime, actor: Actor, where: AuditFilter) -> dict[str, Any]:
    """One page of records, and the record after which the next page starts (if there is one)."""
    found = audit_review.query_audit(rt, actor, where=where, limit=PAGE_SIZE + 1)
    shown = found[:PAGE_SIZE]
    more = len(found) > PAGE_SIZE
    return {"records": shown, "next_after": shown[-1].id if more else None}


@router.post("/audit/verification", response_class=HTMLResponse)
def verify(request: Request, rt: RuntimeDep, actor: Member, anchor: Short = "") -> HTMLResponse:
    """Walk the hash chain (against a kept anchor if given) and say what is broken."""
    anchor = anchor.strip()
    kept = _anchor(anchor) if anchor else None
    problems = audit_review.verify_trail(rt, actor, kept)
    return _fragment(request, actor, "audit/_verification.html", problems=problems, anchor=anchor)


@router.post("/audit/anchor", response_class=HTMLResponse)
def take_anchor(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """Take the chain's head, to be kept outside the system."""
    number, digest = audit_review.chain_anchor(rt, actor)
    return _fragment(request, actor, "audit/_anchor.html", anchor=f"{number}:{digest}")


def _fragment(request: Request, actor: Actor, template: str, **context: Any) -> HTMLResponse:
    """A result in place for HTMX; on a page of its own for a plain form."""
    if is_htmx(request):
        return render(request, template, actor=actor, **context)
    return render(request, "audit/standalone.html", actor=actor, fragment=template, **context)


@router.post("/audit/reviews")
def draw_sample(
    rt: RuntimeDep,
    actor: Member,
    month: Annotated[str, Form(max_length=7)],
    size: Annotated[int, Form(ge=1, le=audit_review.MAX_SAMPLE_SIZE)],
    seed: Annotated[int | None, Form(ge=0, lt=2**63)] = None,
) -> Response:
    """Draw a sample of a month's searches (local calendar month) and open its review."""
    year, number = _month(month)
    since = local_start(year, number, rt.settings.zone)
    until = local_start(year + number // 12, number % 12 + 1, rt.settings.zone)
    review = audit_review.sample_searches(rt, actor, since=since, until=until, size=size, seed=seed)
    return RedirectResponse(f"/audit/reviews/{review.id}", status_code=303)


@router.get("/audit/reviews/{review_id}", response_class=HTMLResponse)
def review_page(
    request: Request, rt: RuntimeDep, actor: Member, review_id: RecordNumber
) -> HTMLResponse:
    """A review's sampled searches with their findings, and the flags of its period."""
    report = audit_review.review_report(rt, actor, review_id=review_id)
    return render(
        request,
        "audit/review.html",
        actor=actor,
        report=report,
        review=report.review,
        findings=list(Finding),
        may_review=may(actor, Action.REVIEW_AUDIT),
    )


@router.post("/audit/reviews/{review_id}/items/{item_id}", response_class=HTMLResponse)
def record_finding(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    review_id: RecordNumber,
    item_id: RecordNumber,
    finding: Annotated[Finding, Form()],
    notes: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Record whether one sampled search was justified."""
    done = audit_review.review_search(
        rt, actor, review_id=review_id, item_id=item_id, finding=finding, notes=notes
    )
    if not is_htmx(request):
        return RedirectResponse(f"/audit/reviews/{review_id}", status_code=303)
    return render(
        request, "audit/_item.html", actor=actor, item=done, findings=list(Finding), may_review=True
    )


def _parse_time(rt: Runtime, where: str, value: str) -> datetime | None:
    """Read a form's date and time, in the department's zone, as an aware time."""
    if not value.strip():
        return None
    try:
        return read_time(value, rt.settings.zone)
    except ValueError:
        raise InvalidInputError(
            "audit query refused:", [Problem(where, "give a date and time, e.g. 2026-06-01T08:00")]
        ) from None


def _field_time(rt: Runtime, moment: datetime | None) -> str:
    """Show a time as a datetime-local field's value, in the department's zone."""
    return "" if moment is None else f"{local(moment, rt.settings.zone):%Y-%m-%dT%H:%M}"


def _month(value: str) -> tuple[int, int]:
    year, _, number = value.partition("-")
    known = year.isdigit() and number.isdigit() and FIRST_YEAR <= int(year) < 9999
    if not (known and 1 <= int(number) <= 12):
        raise InvalidInputError(
            "audit sample not drawn:", [Problem("month", "give a month as YYYY-MM, e.g. 2026-05")]
        )
    return int(year), int(number)


def _last_month(rt: Runtime) -> str:
    """The month before this one (in the department's zone): the usual month to sample."""
    first = local(rt.clock.now(), rt.settings.zone).replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


def _anchor(value: str) -> tuple[int, str]:
    number, sep, digest = value.partition(":")
    if not (sep and number.isdigit() and len(digest) == 64 and set(digest) <= HEX):
        raise InvalidInputError(
            "chain not checked:",
            [Problem("anchor", "give the anchor as RECORD:HASH, as Take an anchor showed it")],
        )
    return int(number), digest
