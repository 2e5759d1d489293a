"""Sharing (426.7): other agencies' written requests, entered with their letter, and reviewed by
the administrator (a separate reviewer when the policy says so): narrowed, approved or denied."""

import mimetypes
from dataclasses import replace
from datetime import datetime
from typing import Annotated

from fastapi import File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from platewarden.api.deps import RuntimeDep
from platewarden.domain import Actor, AgencyType, ShareRequest, ShareStatus
from platewarden.selection import ReadSelection
from platewarden.services import sharing
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.runtime import Runtime
from platewarden.web.admin_fields import local_day, words
from platewarden.web.render import console_router, local_time, render
from platewarden.web.session import Member

router = console_router()

RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Short = Annotated[str, Form(max_length=200)]
Day = Annotated[str, Form(max_length=10)]
Reason = Annotated[str, Form(min_length=1, max_length=2000)]
MAX_LETTER = 10 * 1024 * 1024  # a scanned letter; a bigger file is no letter
# Served as themselves only when a browser shows them safely; anything else is downloaded.
SHOWN_INLINE = {"application/pdf", "image/png", "image/jpeg", "text/plain"}


@router.get("/sharing", response_class=HTMLResponse)
def list_page(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """The requests on file, and the form to enter an incoming one."""
    return _list(request, rt, actor)


@router.post("/sharing", response_class=HTMLResponse)
async def receive(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    agency: Short,
    agency_type: Annotated[AgencyType, Form()],
    requester: Short,
    requester_contact: Short,
    purpose: Short,
    case_number: Annotated[str, Form(max_length=100)],
    received_on: Annotated[str, Form(min_length=1, max_length=10)],
    law_cited: Short = "",
    plates: Annotated[str, Form(max_length=2000)] = "",
    cameras: Annotated[str, Form(max_length=2000)] = "",
    since: Day = "",
    until: Day = "",
    letter: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Record another agency's written request with its letter (scanned or as sent)."""
    document = await _letter(letter)
    received = sharing.receive_request(
        rt,
        actor,
        agency=agency,
        agency_type=agency_type,
        requester=requester,
        requester_contact=requester_contact,
        purpose=purpose,
        case_number=case_number,
        scope=_scope(plates, cameras, since, until),
        received_on=local_day(received_on, "received on") or rt.clock.now(),
        law_cited=law_cited.strip() or None,
        document=document,
        document_name=letter.filename[-200:] if letter and letter.filename else None,
    )
    return _request(request, rt, actor, received.id, note=f"Request {received.id} is on file.")


@router.get("/sharing/{request_id}", response_class=HTMLResponse)
def show(request: Request, rt: RuntimeDep, actor: Member, request_id: RequestId) -> HTMLResponse:
    """One request, its letter and its decision, with the review when it is pending."""
    return _request(request, rt, actor, request_id)


@router.get("/sharing/{request_id}/letter")
def letter(rt: RuntimeDep, actor: Member, request_id: RequestId) -> Response:
    """The written request itself, as it was received."""
    shown = sharing.get_request(rt, actor, request_id=request_id)
    body = sharing.request_document(rt, actor, request_id=request_id)
    kind = mimetypes.guess_type(shown.document_name or "")[0] or "application/octet-stream"
    inline = kind in SHOWN_INLINE
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=kind if inline else "application/octet-stream",
        headers={
            "Content-Disposition": f'{disposition}; filename="request-{request_id}-letter"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/sharing/{request_id}/approval", response_class=HTMLResponse)
def approve(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    request_id: RequestId,
    reason: Reason,
    plates: Annotated[str, Form(max_length=2000)] = "",
    cameras: Annotated[str, Form(max_length=2000)] = "",
    since: Day = "",
    until: Day = "",
) -> HTMLResponse:
    """Approve the request, narrowed by the fields given (each left empty keeps what was asked)."""
    given = _scope(plates, cameras, since, until)
    asked = sharing.get_request(rt, actor, request_id=request_id).scope
    narrowed = replace(
        asked,
        plates=given.plates or asked.plates,
        cameras=given.cameras or asked.cameras,
        since=given.since or asked.since,
        until=given.until or asked.until,
    )
    decided = sharing.decide(
        rt,
        actor,
        request_id=request_id,
        approve=True,
        reason=reason,
        narrowed=None if narrowed == asked else narrowed,
    )
    note = f"Request {decided.id} is approved: {decided.reads_at_approval} reads in scope now."
    return _request(request, rt, actor, request_id, note=note)


@router.post("/sharing/{request_id}/denial", response_class=HTMLResponse)
def deny(
    request: Request, rt: RuntimeDep, actor: Member, request_id: RequestId, reason: Reason
) -> HTMLResponse:
    """Deny the request, with the reason."""
    sharing.decide(rt, actor, request_id=request_id, approve=False, reason=reason)
    return _request(request, rt, actor, request_id, note=f"Request {request_id} is denied.")


async def _letter(upload: UploadFile | None) -> bytes | None:
    if upload is None or not upload.filename:
        return None
    data = await upload.read(MAX_LETTER + 1)
    if len(data) > MAX_LETTER:
        raise InvalidInputError(
            "request not recorded:", [Problem("letter", f"is over {MAX_LETTER // 2**20} MiB")]
        )
    return data or None


def _scope(plates: str, cameras: str, since: str, until: str) -> ReadSelection:
    """The reads a request names: plates (with wildcards), cameras and a window of whole days."""
    return ReadSelection(
        plates=tuple(p.upper() for p in words(plates)),
        cameras=words(cameras),
        since=local_day(since, "since"),
        until=local_day(until, "until", end=True),
    )


def _list(request: Request, rt: Runtime, actor: Actor) -> HTMLResponse:
    return render(
        request,
        "sharing/list.html",
        actor=actor,
        requests=sharing.list_requests(rt, actor),
        agency_types=list(AgencyType),
        purposes=rt.policy.purposes,
        other_lawful=sharing.OTHER_LAWFUL,
    )


def _request(
    request: Request, rt: Runtime, actor: Actor, request_id: int, *, note: str | None = None
) -> HTMLResponse:
    shown = sharing.get_request(rt, actor, request_id=request_id)
    return render(
        request,
        "sharing/request.html",
        actor=actor,
        shown=shown,
        note=note,
        reviewable=_reviewable(rt, actor, shown),
        own_entry=shown.entered_by == actor.name and rt.policy.sharing.separate_reviewer,
        scope=_described(shown.scope),
        approved=_described(shown.approved_scope) if shown.approved_scope else None,
    )


def _reviewable(rt: Runtime, actor: Actor, shown: ShareRequest) -> bool:
    """Offer the review only on a pending incoming request someone else entered (426.7)."""
    separate = rt.policy.sharing.separate_reviewer and shown.entered_by == actor.name
    return shown.status == ShareStatus.PENDING and shown.direction == "incoming" and not separate


def _described(scope: ReadSelection) -> list[tuple[str, str]]:
    """The scope's parts in words, for the page."""
    parts = []
    if scope.plates:
        parts.append(("Plates", ", ".join(scope.plates)))
    if scope.cameras:
        parts.append(("Cameras", ", ".join(scope.cameras)))
    if scope.since or scope.until:
        parts.append(("Window", f"{_when(scope.since)} to {_when(scope.until)}"))
    if scope.area:
        lat, lon, radius = scope.area
        parts.append(("Area", f"{radius:.0f} m around {lat:.5f}, {lon:.5f}"))
    return parts


def _when(moment: datetime | None) -> str:
    return local_time(moment) if moment else "open"
