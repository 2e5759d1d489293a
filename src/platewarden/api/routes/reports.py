"""The yearly report for the Chief of Police as files: the PDF, the HTML page, or every file."""

import io
import zipfile
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse

from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.services import report, report_render
from platewarden.services.errors import InvalidInputError, Problem

router = APIRouter(prefix="/reports", tags=["upkeep"])

MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "zip": "application/zip"}


@router.get(
    "/yearly/{year}/report.{kind}",
    response_class=Response,
    responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()}}},
)
def yearly_file(
    rt: RuntimeDep,
    actor: CurrentActor,
    year: Annotated[int, Path(ge=2000, le=2200)],
    kind: Annotated[Literal["pdf", "html", "zip"], Path(description="pdf, html or zip (all).")],
    timezone: Annotated[
        str | None,
        Query(max_length=64, description="The local time zone (IANA name); default: the server's."),
    ] = None,
) -> Response:
    """Return the yearly report as PDF, HTML, or a zip of every file (charts, one CSV a table)."""
    figures = report.yearly_report(rt, actor, year=year, tz=_zone(timezone))
    files = report_render.yearly_files(figures)
    if kind == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in sorted(files.items()):
                archive.writestr(name, data)
        data = out.getvalue()
    else:
        data = files[f"report.{kind}"]
    return Response(
        data,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="alpr-report-{year}.{kind}"'},
    )


@router.get("/transparency/index.html", response_class=HTMLResponse)
def transparency_page(rt: RuntimeDep, actor: CurrentActor) -> HTMLResponse:
    """Return the public transparency page to publish: no plate, no name, no case number."""
    return HTMLResponse(report_render.transparency_html(report.transparency_page(rt, actor)))


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            "report not made:", [Problem("timezone", f"{name!r} is not a known time zone")]
        ) from None
