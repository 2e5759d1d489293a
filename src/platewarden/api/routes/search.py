"""Search for a lawful purpose tied to a case, and a found read's images.

Everything a search names (plates, case numbers) travels in the body: a URL ends up in logs.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.services import search

router = APIRouter(prefix="/search", tags=["search"])

Purpose = Annotated[str, Field(min_length=1, max_length=64)]
CaseNumber = Annotated[str, Field(min_length=1, max_length=64)]


class Query(BaseModel):
    """What to look for and why; `after` is the previous page's `next_cursor`."""

    purpose: Purpose
    case_number: CaseNumber
    plate: Annotated[str | None, Field(max_length=16)] = None
    ocr_equivalent: bool = False
    since: datetime | None = None
    until: datetime | None = None
    camera: Annotated[str | None, Field(max_length=100)] = None
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None
    radius_m: Annotated[float | None, Field(gt=0, le=100_000)] = None
    limit: Annotated[int, Field(ge=1, le=search.MAX_RESULTS)] = 200
    after: Annotated[str | None, Field(max_length=200)] = None


class ImageRequest(BaseModel):
    """A found read's frame or plate crop, for the same purpose and case."""

    read_id: Annotated[int, Field(ge=1, le=2**63 - 1)]
    which: Literal["frame", "crop"] = "crop"
    purpose: Purpose
    case_number: CaseNumber


@router.post("")
def find(rt: RuntimeDep, actor: CurrentActor, body: Query) -> dict[str, Any]:
    """Return a page of reads (oldest first) and the cursor of the next page, if any."""
    found = search.search_reads(rt, actor, search.SearchQuery(**body.model_dump()))
    return {"reads": to_json(found.reads), "next_cursor": found.next_cursor}


@router.post(
    "/images",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}}, **problems.responses(404)},
)
def image(rt: RuntimeDep, actor: CurrentActor, body: ImageRequest) -> Response:
    """Return a found read's frame or crop (decrypted for this purpose and case, audited)."""
    data = search.read_image(
        rt,
        actor,
        read_id=body.read_id,
        which=body.which,
        purpose=body.purpose,
        case_number=body.case_number,
    )
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return Response(content=data, media_type=kind)
