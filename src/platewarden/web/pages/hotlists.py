"""Hot lists: each source's version, age and staleness for those who view them; refreshes and
manual entries (partial plates with wildcards) for administrators only."""

from typing import Annotated, Any

from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse

from platewarden.api.deps import RuntimeDep
from platewarden.domain import Actor
from platewarden.policy.access import Action
from platewarden.services import hotlists
from platewarden.services.runtime import Runtime
from platewarden.store.hotlists import MANUAL
from platewarden.web.admin_fields import local_day
from platewarden.web.render import console_router, may, render
from platewarden.web.session import Member

router = console_router()

EntryId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Short = Annotated[str, Form(max_length=100)]


@router.get("/hotlists", response_class=HTMLResponse)
def page(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """Each source's status, and the manual entries in force."""
    return _page(request, rt, actor)


@router.post("/hotlists/refresh", response_class=HTMLResponse)
def refresh(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """Fetch and load every configured feed now."""
    results = hotlists.refresh(rt, actor)
    return _page(request, rt, actor, refreshed=results)


@router.post("/hotlists/entries", response_class=HTMLResponse)
def add_entry(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    plate: Annotated[str, Form(min_length=1, max_length=100)],
    purpose: Short,
    case_number: Annotated[str, Form(min_length=1, max_length=100)],
    jurisdiction: Annotated[str, Form(max_length=3)] = "",
    expires_on: Annotated[str, Form(max_length=10)] = "",
    notes: Annotated[str, Form(max_length=4000)] = "",
    confidential: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Enter a full or partial plate by hand; reads still kept are checked against it."""
    entry, historical = hotlists.add_entry(
        rt,
        actor,
        plate=plate,
        purpose=purpose,
        case_number=case_number,
        jurisdiction=jurisdiction.strip() or None,
        expires_at=local_day(expires_on, "expires on", end=True),
        notes=notes.strip() or None,
        confidential=confidential,
    )
    note = f"Entry {entry.id} is in force; reads still kept raised {len(historical)} alerts."
    return _page(request, rt, actor, note=note)


@router.post("/hotlists/entries/{entry_id}/removal", response_class=HTMLResponse)
def remove_entry(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    entry_id: EntryId,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> HTMLResponse:
    """Take a manual entry off the hot lists, with the reason."""
    hotlists.remove_entry(rt, actor, entry_id=entry_id, reason=reason)
    return _page(request, rt, actor, note=f"Entry {entry_id} is removed.")


def _page(request: Request, rt: Runtime, actor: Actor, **context: Any) -> HTMLResponse:
    manages = may(actor, Action.MANAGE_HOTLISTS)
    return render(
        request,
        "hotlists/page.html",
        actor=actor,
        sources=hotlists.status(rt, actor),
        entries=hotlists.list_entries(rt, actor, source=MANUAL),
        notices=hotlists.notices(rt, actor) if manages else [],
        manages=manages,
        purposes=rt.policy.purposes,
        max_age_hours=rt.policy.hotlists.max_age_hours,
        expiry_days=rt.policy.hotlists.manual_expiry_days,
        now=rt.clock.now(),
        **context,
    )
