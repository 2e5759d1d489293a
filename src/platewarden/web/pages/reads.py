"""A read's page: its plate crop and frame, where and when, and a hold on it.

Opening a read is an access like a search: it is asked for with a POST that carries the purpose
and case (never in the URL) and the service audits the read and each image shown. The page at
`GET /reads/{id}` asks for them first.
"""

import base64
from typing import Annotated

from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse

from platewarden.api.deps import RuntimeDep
from platewarden.domain import HoldKind
from platewarden.policy.access import Action, check_role
from platewarden.services import search
from platewarden.web.render import console_router, may, refusal, render
from platewarden.web.session import Member

router = console_router()

ReadId = Annotated[int, Path(ge=1, le=2**62)]
Purpose = Annotated[str, Form(max_length=64)]
CaseNumber = Annotated[str, Form(max_length=64)]


@router.get("/reads/{read_id}", response_class=HTMLResponse)
def ask(request: Request, rt: RuntimeDep, actor: Member, read_id: ReadId) -> HTMLResponse:
    """Ask for the purpose and case before a read is opened (nothing of it is shown yet)."""
    if not may(actor, Action.QUERY_PLATE):
        reason = check_role(actor.roles, Action.QUERY_PLATE).reason
        return refusal(request, 403, "Not allowed", f"{actor.name} may not open reads: {reason}")
    purposes = [(p.code, p.title) for p in rt.policy.purposes]
    return render(request, "reads/ask.html", actor=actor, read_id=read_id, purposes=purposes)


@router.post("/reads/{read_id}", response_class=HTMLResponse)
def show(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    read_id: ReadId,
    purpose: Purpose = "",
    case_number: CaseNumber = "",
) -> HTMLResponse:
    """Show a read with its crop and frame, for the purpose and case (each view audited)."""
    read = search.show_read(rt, actor, read_id=read_id, purpose=purpose, case_number=case_number)
    images = {
        which: inline_image(
            search.read_image(
                rt, actor, read_id=read_id, which=which, purpose=purpose, case_number=case_number
            )
        )
        for which, blob in (("crop", read.crop_blob), ("frame", read.frame_blob))
        if blob is not None
    }
    found = rt.policy.purpose(purpose)
    return render(
        request,
        "reads/page.html",
        actor=actor,
        read=read,
        images=images,
        purpose=purpose,
        purpose_title=found.title if found else purpose,
        case_number=case_number,
        hold_fields=[("purpose", purpose), ("case_number", case_number)],
        hold_kinds=list(HoldKind),
    )


def inline_image(image: bytes) -> str:
    """Return an image as a data URL (the page carries it; no URL names the read's case)."""
    kind = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64," + base64.b64encode(image).decode("ascii")
