"""The yearly report (426.3) and the public transparency page: shown as tables, and downloaded.

The same services and the same writer as `platewarden report`: the figures come from
services.report, the files from services.report_render, so the console, the CLI and the files
say the same thing. Years are calendar years in the department's time zone (`timezone`).
"""

import io
import tempfile
import zipfile
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from platewarden.api.deps import RuntimeDep
from platewarden.local_time import local
from platewarden.services import report, report_render, report_sections
from platewarden.services.report import FIRST_YEAR
from platewarden.services.report_figures import YearlyReport
from platewarden.web.render import console_router, render
from platewarden.web.session import Member

router = console_router()

Year = Annotated[int, Path(ge=FIRST_YEAR, le=9998)]


@router.get("/report", response_class=HTMLResponse)
def yearly_page(
    request: Request,
    rt: RuntimeDep,
    actor: Member,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=9998)] = None,
) -> HTMLResponse:
    """A year's report: the summary in words and every section's table (this year by default)."""
    chosen = year or local(rt.clock.now(), rt.settings.zone).year
    figures = report.yearly_report(rt, actor, year=chosen, tz=rt.settings.zone)
    return render(
        request,
        "report/yearly.html",
        actor=actor,
        report=figures,
        summary=report_sections.summary(figures),
        parts=report_sections.sections(figures),
    )


@router.get("/report/yearly/{year}.pdf")
def yearly_pdf(rt: RuntimeDep, actor: Member, year: Year) -> Response:
    """The year's report as the PDF for the Chief of Police."""
    figures = report.yearly_report(rt, actor, year=year, tz=rt.settings.zone)
    with tempfile.TemporaryDirectory() as folder:
        report_render.write_yearly(figures, FilePath(folder))
        body = (FilePath(folder) / "report.pdf").read_bytes()
    return _download(body, "application/pdf", f"alpr-report-{year}.pdf")


@router.get("/report/yearly/{year}.zip")
def yearly_files(rt: RuntimeDep, actor: Member, year: Year) -> Response:
    """Every file of the year's report: HTML, PDF, charts and one CSV per section."""
    figures = report.yearly_report(rt, actor, year=year, tz=rt.settings.zone)
    return _download(_zipped(figures), "application/zip", f"alpr-report-{year}.zip")


def _zipped(figures: YearlyReport) -> bytes:
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        written = report_render.write_yearly(figures, FilePath(folder))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, f"alpr-report-{figures.year}/{path.name}")
    return buffer.getvalue()


@router.get("/report/transparency", response_class=HTMLResponse)
def transparency_page(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """What the public page says: the policy in brief, cameras, the last 30 days' figures."""
    page = report.transparency_page(rt, actor)
    return render(request, "report/transparency.html", actor=actor, page=page)


@router.get("/report/transparency/index.html")
def transparency_file(rt: RuntimeDep, actor: Member) -> Response:
    """The public page as the file to publish (the same one `report transparency` writes)."""
    page = report.transparency_page(rt, actor)
    with tempfile.TemporaryDirectory() as folder:
        body = report_render.write_transparency(page, FilePath(folder)).read_bytes()
    return _download(body, "text/html; charset=utf-8", "alpr-transparency.html")


def _download(body: bytes, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media_type, headers=headers)
