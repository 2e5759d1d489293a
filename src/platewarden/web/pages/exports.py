"""Evidence exports: the record of past exports, and a hold's export downloaded as a zip."""

from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from platewarden.api.deps import RuntimeDep
from platewarden.services import export, holds
from platewarden.web.render import console_router, render
from platewarden.web.session import Member

router = console_router()

CHUNK = 1 << 20


@router.get("/exports", response_class=HTMLResponse)
def list_exports(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """The exports on record, and the active holds that can be exported."""
    done = export.list_exports(rt, actor)
    active = holds.list_holds(rt, actor, active_only=True)
    return render(request, "exports/list.html", actor=actor, exports=done, holds=active)


@router.post("/exports")
def download(
    rt: RuntimeDep,
    actor: Member,
    hold_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    evidence_number: Annotated[str, Form(max_length=64)] = "",
) -> StreamingResponse:
    """Export a hold as a zip archive (manifest, custody record) and download it."""
    made = export.export_hold_archive(rt, actor, hold_id=hold_id, evidence_number=evidence_number)
    return StreamingResponse(
        _chunks(made.stream),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="hold-{hold_id}-export.zip"',
            "X-Manifest-SHA256": made.manifest_sha256,
        },
    )


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK):
            yield chunk
