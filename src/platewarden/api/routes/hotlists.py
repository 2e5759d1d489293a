"""Hot lists: freshness, entries, manual partial plates, loads of a source's file."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep, read_body
from platewarden.api.encode import to_json
from platewarden.services import hotlists

router = APIRouter(prefix="/hotlists", tags=["hot lists"])

EntryId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The entry's number.")]
MAX_FILE_BYTES = 50 * 2**20  # a state's extract is a few MB


class ManualEntry(BaseModel):
    """A full or partial plate (`?` one character, `*` any run) entered by hand for a case."""

    plate: Annotated[str, Field(min_length=1, max_length=16)]
    purpose: Annotated[str, Field(min_length=1, max_length=64)]
    case_number: Annotated[str, Field(min_length=1, max_length=64)]
    jurisdiction: Annotated[str | None, Field(max_length=8)] = None
    expires_at: datetime | None = None
    notes: Annotated[str | None, Field(max_length=4000)] = None
    confidential: bool = False


class Lookup(BaseModel):
    """Entries of a source, or for a plate (in the body: no plate goes in a URL)."""

    source: Annotated[str | None, Field(max_length=100)] = None
    plate: Annotated[str | None, Field(max_length=16)] = None


class Removal(BaseModel):
    """Why an entry is taken off the list."""

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


@router.get("/status")
def status(rt: RuntimeDep, actor: CurrentActor) -> list[dict[str, Any]]:
    """Say how fresh each source is; a stale one is flagged."""
    return to_json(hotlists.status(rt, actor))


@router.get("/notices")
def notices(rt: RuntimeDep, actor: CurrentActor) -> list[dict[str, Any]]:
    """List the notices of failed refreshes."""
    return [
        {"at": at.isoformat(), "kind": kind, "subject": subject, "message": message}
        for at, kind, subject, message in hotlists.notices(rt, actor)
    ]


@router.post("/entries/query")
def list_entries(rt: RuntimeDep, actor: CurrentActor, body: Lookup) -> list[dict[str, Any]]:
    """List the entries in force, of one source or for one plate."""
    return to_json(hotlists.list_entries(rt, actor, source=body.source, plate=body.plate))


@router.get("/entries/{entry_id}", responses=problems.responses(404))
def show_entry(rt: RuntimeDep, actor: CurrentActor, entry_id: EntryId) -> dict[str, Any]:
    """Show one entry (a confidential one's details need the grant)."""
    return to_json(hotlists.show_entry(rt, actor, entry_id=entry_id))


@router.post("/entries", status_code=201)
def add_entry(rt: RuntimeDep, actor: CurrentActor, body: ManualEntry) -> dict[str, Any]:
    """Enter a plate by hand; reads still kept are checked against it at once."""
    entry, historical = hotlists.add_entry(rt, actor, **body.model_dump())
    return {"entry": to_json(entry), "historical_alerts": historical}


@router.post("/entries/{entry_id}/removal", status_code=204, responses=problems.responses(404))
def remove_entry(rt: RuntimeDep, actor: CurrentActor, entry_id: EntryId, body: Removal) -> None:
    """Take an entry off the list, with the reason."""
    hotlists.remove_entry(rt, actor, entry_id=entry_id, reason=body.reason)


@router.post(
    "/sources/{source}/versions",
    status_code=201,
    responses=problems.responses(404, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def load_file(
    request: Request,
    rt: RuntimeDep,
    actor: CurrentActor,
    source: Annotated[str, Path(min_length=1, max_length=100)],
    force: Annotated[bool, Query()] = False,
) -> dict[str, Any]:
    """Load a source's file (CSV or NCIC-style extract, as the body) as its new version."""
    data = await read_body(request, MAX_FILE_BYTES)
    load = await run_in_threadpool(
        hotlists.import_hotlist, rt, actor, source=source, data=data, force=force
    )
    return to_json(load)


@router.post("/refresh")
def refresh(rt: RuntimeDep, actor: CurrentActor) -> list[dict[str, str]]:
    """Fetch and load every configured feed now."""
    return [{"source": s, "outcome": o} for s, o in hotlists.refresh(rt, actor)]
