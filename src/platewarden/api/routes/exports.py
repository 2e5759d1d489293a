"""Evidence exports: a hold's reads and images downloaded as a zip archive, and checked again."""

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.services import export as evidence
from platewarden.services.export import (
    SPOOL_BYTES,
    ExportArchive,
    ExportCheck,
    export_hold_archive,
    verify_recorded_archive,
)

router = APIRouter(prefix="/exports", tags=["exports"])

MAX_ARCHIVE_BYTES = 4 * 2**30  # the largest archive taken back for checking
ZIP = "application/zip"
CHUNK = 1 << 20


class NewExport(BaseModel):
    """A hold to export, under the evidence number it is booked in with."""

    hold_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    evidence_number: Annotated[str, Field(min_length=1, max_length=64)]


@router.post(
    "",
    status_code=201,
    response_class=StreamingResponse,
    responses={
        201: {"content": {ZIP: {"schema": {"type": "string", "format": "binary"}}}},
        **problems.responses(404),
    },
)
def export(rt: RuntimeDep, actor: CurrentActor, body: NewExport) -> StreamingResponse:
    """Export a hold: the zip archive of its reads, images, custody record and manifest.

    The manifest's SHA-256, for the evidence label, is in the X-Manifest-SHA256 header.
    """
    made = export_hold_archive(
        rt, actor, hold_id=body.hold_id, evidence_number=body.evidence_number
    )
    return archive_response(made, f"hold-{body.hold_id}-export.zip")


@router.get("")
def list_exports(rt: RuntimeDep, actor: CurrentActor) -> list[Any]:
    """List the latest evidence exports on record, newest first."""
    return to_json(evidence.list_exports(rt, actor))


@router.post(
    "/verification",
    responses=problems.responses(413, 415),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {ZIP: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def verify(request: Request, rt: RuntimeDep, actor: CurrentActor) -> dict[str, Any]:
    """Check an export's zip archive against its manifest, and the manifest against the record."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != ZIP:
        raise HTTPException(415, f"send the archive as {ZIP}")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as upload:
        await _receive(request, upload)
        check = await run_in_threadpool(verify_recorded_archive, rt, actor, upload)
    return check_json(check)


def archive_response(made: ExportArchive, file_name: str) -> StreamingResponse:
    """Stream a package's archive, with its manifest hash and counts in the headers."""
    return StreamingResponse(
        _chunks(made.stream),
        status_code=201,
        media_type=ZIP,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "X-Manifest-SHA256": made.manifest_sha256,
            "X-Read-Count": str(made.read_count),
            "X-Image-Count": str(made.image_count),
        },
    )


def check_json(check: ExportCheck) -> dict[str, Any]:
    """Return a check's findings; ok only when the files match a manifest on record."""
    return {
        "ok": check.ok and check.record is not None,
        "files_match": check.ok,
        "manifest_sha256": check.manifest_sha256,
        "files_checked": check.files_checked,
        "changed": check.changed,
        "missing": check.missing,
        "unexpected": check.unexpected,
        "record": to_json(check.record),
    }


async def _receive(request: Request, upload: IO[bytes]) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ARCHIVE_BYTES:
        raise HTTPException(413, f"the archive is over {MAX_ARCHIVE_BYTES // 2**30} GB")
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_ARCHIVE_BYTES:
            raise HTTPException(413, f"the archive is over {MAX_ARCHIVE_BYTES // 2**30} GB")
        upload.write(chunk)
    upload.seek(0)


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK):
            yield chunk
