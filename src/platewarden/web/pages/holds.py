"""Holds: placed from a search or a read, listed, shown, released with a reason."""

from typing import Annotated

from fastapi import Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from platewarden.api.deps import RuntimeDep
from platewarden.domain import HoldKind, PreservationRequest
from platewarden.selection import ReadSelection
from platewarden.services import holds
from platewarden.web.pages.search import posted_search
from platewarden.web.render import console_router, local_time, render
from platewarden.web.search_form import SearchForm
from platewarden.web.session import Member

router = console_router()

HoldId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Reason = Annotated[str, Form(max_length=2000)]
Field = Annotated[str, Form(max_length=2000)]


@router.get("/holds", response_class=HTMLResponse)
def list_holds(
    request: Request, rt: RuntimeDep, actor: Member, active: bool = False
) -> HTMLResponse:
    """Every hold, newest first (or the active ones only)."""
    found = holds.list_holds(rt, actor, active_only=active)
    return render(request, "holds/list.html", actor=actor, holds=found, active_only=active)


@router.get("/holds/{hold_id}", response_class=HTMLResponse)
def show_hold(request: Request, rt: RuntimeDep, actor: Member, hold_id: HoldId) -> HTMLResponse:
    """A hold: why, what it keeps, and its release or export where the member may."""
    hold = holds.get_hold(rt, actor, hold_id=hold_id)
    purpose = rt.policy.purpose(hold.purpose)
    return render(
        request,
        "holds/show.html",
        actor=actor,
        hold=hold,
        purpose_title=purpose.title if purpose else hold.purpose,
        selection=_describe(hold.selection),
    )


@router.post("/holds")
def place_hold(
    rt: RuntimeDep,
    actor: Member,
    form: Annotated[SearchForm, Depends(posted_search)],
    kind: Annotated[HoldKind, Form()],
    reason: Reason = "",
    read_id: Annotated[int | None, Form(ge=1, le=2**62)] = None,
    requesting_agency: Field = "",
    requesting_person: Field = "",
    camera_locations: Field = "",
    plate_requested: Field = "",
    time_frames: Field = "",
    facts: Field = "",
) -> Response:
    """Place a hold on one read, or on what a search finds now; then show the hold."""
    selection = ReadSelection(read_ids=(read_id,)) if read_id else form.selection()
    preservation = None
    if kind == HoldKind.PRESERVATION:
        preservation = PreservationRequest(
            requesting_agency=requesting_agency,
            requesting_person=requesting_person,
            camera_locations=camera_locations,
            plate=plate_requested,
            time_frames=time_frames,
            facts=facts,
        )
    hold = holds.create_hold(
        rt,
        actor,
        kind=kind,
        purpose=form.purpose,
        case_number=form.case_number,
        reason=reason,
        selection=selection,
        preservation=preservation,
    )
    return RedirectResponse(f"/holds/{hold.id}", status_code=303)


@router.post("/holds/{hold_id}/release")
def release_hold(rt: RuntimeDep, actor: Member, hold_id: HoldId, reason: Reason = "") -> Response:
    """Release a hold with its reason: its reads are purged when their retention ends."""
    holds.release_hold(rt, actor, hold_id=hold_id, reason=reason)
    return RedirectResponse(f"/holds/{hold_id}", status_code=303)


def _describe(selection: ReadSelection) -> list[tuple[str, str]]:
    """Return what a hold's selection names, in words."""
    rows: list[tuple[str, str]] = []
    if selection.read_ids:
        rows.append(("Reads", ", ".join(map(str, selection.read_ids[:50]))))
    if selection.plates:
        look_alike = " (and look-alike reads)" if selection.ocr_equivalent else ""
        rows.append(("Plates", ", ".join(selection.plates) + look_alike))
    if selection.since or selection.until:
        since, until = local_time(selection.since), local_time(selection.until)
        rows.append(("Time", f"{since or 'any time'} to {until or 'any time'}"))
    if selection.cameras:
        rows.append(("Cameras", ", ".join(selection.cameras)))
    if selection.area:
        lat, lon, radius = selection.area
        rows.append(("Area", f"{radius:.0f} m around {lat:.5f}, {lon:.5f}"))
    return rows
