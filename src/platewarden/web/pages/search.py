"""The investigator's search: purpose and case first, then a plate, a time window, cameras and
an area drawn on the cameras' map; the results as a gallery of plate crops, a page at a time.

The search, and each crop the gallery shows, go through the search service, which checks the
purpose and case and audits them; a search without them is refused there, and the page shows
that refusal.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from platewarden.api.deps import RuntimeDep
from platewarden.domain import Actor, Camera, HoldKind, Read
from platewarden.policy.search import (
    MAX_VICINITY_RADIUS_M,
    MAX_VICINITY_WINDOW,
    PLATE_PURPOSES,
    VICINITY_PURPOSE,
)
from platewarden.services import search
from platewarden.services.errors import NotFoundError
from platewarden.services.runtime import Runtime
from platewarden.web.camera_map import camera_map
from platewarden.web.pages.reads import inline_image
from platewarden.web.render import console_router, is_htmx, render
from platewarden.web.search_form import FIRST_PAGE, SearchForm
from platewarden.web.session import Member

router = console_router()


async def posted_search(request: Request) -> SearchForm:
    """Return the search form's fields as posted."""
    return SearchForm.read(await request.form())


PostedSearch = Annotated[SearchForm, Depends(posted_search)]


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """The search form, with the cameras' map to draw an area on."""
    cameras = search.search_cameras(rt, actor)
    return render(
        request, "search/page.html", actor=actor, **form_context(rt, cameras, SearchForm())
    )


@router.post("/search", response_class=HTMLResponse)
def run_search(request: Request, rt: RuntimeDep, actor: Member, form: PostedSearch) -> HTMLResponse:
    """Search for the purpose and case; show a page of the reads found as crops."""
    found = search.search_reads(rt, actor, form.query())
    results = results_context(rt, actor, form, found)
    if is_htmx(request):
        return render(request, "search/results.html", actor=actor, **results)
    cameras = search.search_cameras(rt, actor)
    context = form_context(rt, cameras, form) | results
    return render(request, "search/page.html", actor=actor, **context)


def form_context(rt: Runtime, cameras: list[Camera], form: SearchForm) -> dict[str, Any]:
    """What the form shows: the purposes explained, the cameras and their map."""
    area = form.selection().area
    return {
        "form": form,
        "purposes": purpose_notes(rt),
        "cameras": cameras,
        "map": camera_map(cameras, area=area),
        "zone": datetime.now().astimezone().tzname(),
    }


def purpose_notes(rt: Runtime) -> list[tuple[str, str, str]]:
    """Return each purpose of the policy (code, title) with what a search for it must name."""
    radius, days = f"{MAX_VICINITY_RADIUS_M:.0f} m", MAX_VICINITY_WINDOW.days
    notes = []
    for purpose in rt.policy.purposes:
        if purpose.code in PLATE_PURPOSES:
            needs = "a look-up of a vehicle: name the plate, whole or with wildcards"
        elif purpose.code == VICINITY_PURPOSE:
            needs = f"a canvass: an area of at most {radius} and a window of at most {days} days"
        else:
            needs = "name a plate (whole or partial), an area, or both"
        notes.append((purpose.code, purpose.title, needs))
    return notes


def results_context(
    rt: Runtime, actor: Actor, form: SearchForm, found: search.SearchResult
) -> dict[str, Any]:
    """What the gallery shows: each read's crop (an audited view) and the pages around it."""
    trail = form.trail
    previous = None
    if form.after:
        back = trail[-1] if trail else FIRST_PAGE
        previous = form.hidden(after=back, trail=trail[:-1])
    following = None
    if found.next_cursor:
        following = form.hidden(after=found.next_cursor, trail=(*trail, form.after or FIRST_PAGE))
    purpose = rt.policy.purpose(form.purpose)
    return {
        "form": form,
        "found": found,
        "crops": crops(rt, actor, form, found.reads),
        "page_number": len(trail) + 1,
        "previous_page": previous,
        "next_page": following,
        "purpose_title": purpose.title if purpose else form.purpose,
        "hold_fields": form.hidden(),
        "hold_kinds": list(HoldKind),
    }


def crops(rt: Runtime, actor: Actor, form: SearchForm, reads: list[Read]) -> dict[int, str]:
    """Return the reads' plate crops, inline; each one is viewed (and audited) by the service."""
    shown: dict[int, str] = {}
    for read in reads:
        if read.crop_blob is None:
            continue
        try:
            image = search.read_image(
                rt,
                actor,
                read_id=read.id,
                which="crop",
                purpose=form.purpose,
                case_number=form.case_number,
            )
        except NotFoundError:  # purged between the search and the look
            continue
        shown[read.id] = inline_image(image)
    return shown
