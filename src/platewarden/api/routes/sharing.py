"""Other agencies' written requests for data (426.7): filed with the letter, decided, released."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.api.routes.exports import ZIP, archive_response
from platewarden.api.routes.holds import Selection
from platewarden.domain import AgencyType
from platewarden.selection import ReadSelection
from platewarden.services import sharing
from platewarden.services.errors import InvalidInputError, Problem

router = APIRouter(prefix="/sharing/requests", tags=["sharing"])

RequestId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The request's number.")]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
MAX_LETTER_BYTES = 20 * 2**20
LETTER_TYPES = {b"%PDF": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png"}


class IncomingRequest(BaseModel):
    """Another agency's written request: who asks, why, for which case and which reads."""

    agency: Annotated[str, Field(min_length=1, max_length=200)]
    agency_type: AgencyType
    requester: Annotated[str, Field(min_length=1, max_length=200)]
    requester_contact: Annotated[str, Field(min_length=1, max_length=200)]
    purpose: Annotated[str, Field(min_length=1, max_length=64)]
    case_number: Annotated[str, Field(min_length=1, max_length=64)]
    received_on: datetime
    law_cited: Annotated[str | None, Field(max_length=1000)] = None
    scope: Selection


class OutgoingRequest(BaseModel):
    """Our request to a system the department does not operate (426.3.1 g)."""

    agency: Annotated[str, Field(min_length=1, max_length=200)]
    requester: Annotated[str, Field(min_length=1, max_length=200)]
    requester_contact: Annotated[str, Field(min_length=1, max_length=200)]
    purpose: Annotated[str, Field(min_length=1, max_length=64)]
    case_number: Annotated[str, Field(min_length=1, max_length=64)]
    sent_on: datetime
    scope: Selection


class Decision(BaseModel):
    """An approval (narrowing the scope when one is given) or a denial, with its reason."""

    reason: Text
    scope: Selection | None = None


class Denial(BaseModel):
    """Why a request is denied."""

    reason: Text


@router.post("", status_code=201)
async def file_request(
    rt: RuntimeDep,
    actor: CurrentActor,
    request: Annotated[str, Form(description="The request's fields (IncomingRequest) as JSON.")],
    letter: Annotated[UploadFile | None, File(description="The written request.")] = None,
) -> dict[str, Any]:
    """File another agency's request with its letter (multipart: `request` JSON, `letter`)."""
    try:
        asked = IncomingRequest.model_validate_json(request)
    except ValidationError as exc:
        problems = [
            Problem("request." + ".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()
        ]
        raise InvalidInputError("request not recorded:", problems) from None
    document = await letter.read(MAX_LETTER_BYTES + 1) if letter else None
    if document is not None and len(document) > MAX_LETTER_BYTES:
        raise InvalidInputError(
            "request not recorded:", [Problem("letter", f"is over {MAX_LETTER_BYTES // 2**20} MB")]
        )
    filed = sharing.receive_request(
        rt,
        actor,
        **asked.model_dump(exclude={"scope"}),
        scope=_selection(asked.scope),
        document=document or None,
        document_name=(letter.filename or "letter")[:200] if letter and document else None,
    )
    return to_json(filed)


@router.post("/outgoing", status_code=201)
def request_out(rt: RuntimeDep, actor: CurrentActor, body: OutgoingRequest) -> dict[str, Any]:
    """Record a request the department sends to another agency's system."""
    sent = sharing.request_out(
        rt, actor, **body.model_dump(exclude={"scope"}), scope=_selection(body.scope)
    )
    return to_json(sent)


@router.get("")
def list_requests(
    rt: RuntimeDep,
    actor: CurrentActor,
    direction: Annotated[str | None, Query(pattern="^(incoming|outgoing)$")] = None,
) -> list[Any]:
    """List the requests on file, newest first."""
    return to_json(sharing.list_requests(rt, actor, direction=direction))


@router.get("/{request_id}", responses=problems.responses(404))
def show_request(rt: RuntimeDep, actor: CurrentActor, request_id: RequestId) -> dict[str, Any]:
    """Show a request and its decision."""
    return to_json(sharing.get_request(rt, actor, request_id=request_id))


@router.get(
    "/{request_id}/letter",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **problems.responses(404)},
)
def letter(rt: RuntimeDep, actor: CurrentActor, request_id: RequestId) -> Response:
    """Return the written request as it was filed."""
    data = sharing.request_document(rt, actor, request_id=request_id)
    kind = next((t for magic, t in LETTER_TYPES.items() if data.startswith(magic)), None)
    return Response(
        data,
        media_type=kind or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="request-{request_id}-letter"'},
    )


@router.post("/{request_id}/approval", responses=problems.responses(404))
def approve(
    rt: RuntimeDep, actor: CurrentActor, request_id: RequestId, body: Decision
) -> dict[str, Any]:
    """Approve a pending request, narrowed to `scope` when given (never widened)."""
    narrowed = _selection(body.scope) if body.scope else None
    decided = sharing.decide(
        rt, actor, request_id=request_id, approve=True, reason=body.reason, narrowed=narrowed
    )
    return to_json(decided)


@router.post("/{request_id}/denial", responses=problems.responses(404))
def deny(
    rt: RuntimeDep, actor: CurrentActor, request_id: RequestId, body: Denial
) -> dict[str, Any]:
    """Deny a pending request, with the reason."""
    decided = sharing.decide(rt, actor, request_id=request_id, approve=False, reason=body.reason)
    return to_json(decided)


@router.post(
    "/{request_id}/release",
    status_code=201,
    response_class=StreamingResponse,
    responses={
        201: {"content": {ZIP: {"schema": {"type": "string", "format": "binary"}}}},
        **problems.responses(404),
    },
)
def release(rt: RuntimeDep, actor: CurrentActor, request_id: RequestId) -> StreamingResponse:
    """Release exactly the approved scope once: a zip archive with its manifest."""
    _, made = sharing.fulfil_archive(rt, actor, request_id=request_id)
    return archive_response(made, f"request-{request_id}-release.zip")


def _selection(chosen: Selection) -> ReadSelection:
    return ReadSelection(
        read_ids=tuple(chosen.read_ids),
        plates=tuple(p.upper() for p in chosen.plates),
        ocr_equivalent=chosen.ocr_equivalent,
        since=chosen.since,
        until=chosen.until,
        cameras=tuple(chosen.cameras),
        latitude=chosen.latitude,
        longitude=chosen.longitude,
        radius_m=chosen.radius_m,
    )
