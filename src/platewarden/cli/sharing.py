"""`platewarden share`: other agencies' requests for data, and ours to them (426.7, 426.3.1 g)."""

from datetime import tzinfo
from pathlib import Path
from typing import Annotated

import typer

from platewarden.cli.choices import Purpose, PurposeOrLaw
from platewarden.cli.context import RecordId, console, console_actor, errors, opened_runtime
from platewarden.cli.images import save_file
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import parse_time, required_time, show_date, show_time
from platewarden.domain import AgencyType, ShareRequest
from platewarden.selection import ReadSelection
from platewarden.services import sharing

# Request ids are 32-bit integers in PostgreSQL: a larger one is refused before it gets there.

app = typer.Typer(
    help="Sharing requests: receive, approve or deny, fulfil; and our own requests out.",
    no_args_is_help=True,
)

Plates = Annotated[
    list[str] | None, typer.Option("--plate", help="A plate asked for (repeatable).")
]
Cameras = Annotated[
    list[str] | None, typer.Option("--camera", help="A camera asked for (repeatable).")
]
Since = Annotated[
    str | None, typer.Option(help="Window start (ISO 8601 or a date; the department's zone).")
]
Until = Annotated[
    str | None, typer.Option(help="Window end (ISO 8601 or a date; the department's zone).")
]


def _scope(
    plates: list[str] | None,
    since: str | None,
    until: str | None,
    cameras: list[str] | None,
    latitude: float | None,
    longitude: float | None,
    radius_m: float | None,
) -> ReadSelection:
    return ReadSelection(
        plates=tuple(p.upper() for p in plates or ()),
        since=parse_time(since),
        until=parse_time(until),
        cameras=tuple(cameras or ()),
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
    )


@app.command("receive")
def receive(
    agency: Annotated[str, typer.Option(help="The requesting agency.")],
    agency_type: Annotated[AgencyType, typer.Option(help="law_enforcement, prosecutor or other.")],
    requester: Annotated[str, typer.Option(help="The person requesting.")],
    contact: Annotated[str, typer.Option(help="Their contact (e-mail, phone).")],
    purpose: PurposeOrLaw,
    case: Annotated[str, typer.Option(help="Their case number.")],
    received: Annotated[
        str,
        typer.Option(
            help="When the written request arrived (ISO 8601 or a date; the department's zone)."
        ),
    ],
    document: Annotated[
        Path | None, typer.Option(help="The written request (PDF or image).")
    ] = None,
    law: Annotated[str | None, typer.Option(help="The law cited, for other_lawful.")] = None,
    plate: Plates = None,
    since: Since = None,
    until: Until = None,
    camera: Cameras = None,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: float | None = None,
) -> None:
    """Record another agency's written request."""
    try:
        data = document.read_bytes() if document else None
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot read {document}: {exc.strerror}", param_hint="--document"
        ) from None
    received_on = required_time(received)
    with opened_runtime() as rt:
        request = sharing.receive_request(
            rt,
            console_actor(rt),
            agency=agency,
            agency_type=agency_type,
            requester=requester,
            requester_contact=contact,
            purpose=purpose,
            case_number=case,
            scope=_scope(plate, since, until, camera, latitude, longitude, radius_m),
            received_on=received_on,
            law_cited=law,
            document=data,
            document_name=document.name if document else None,
        )
    console.print(
        f"request {request.id} recorded: {request.status.value}"
        + (f" ({request.decision_reason})" if request.decision_reason else "")
    )


@app.command("approve")
def approve(
    request_id: RecordId,
    reason: Annotated[str, typer.Option(help="Why it is approved.")],
    plate: Plates = None,
    since: Since = None,
    until: Until = None,
    camera: Cameras = None,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: float | None = None,
) -> None:
    """Approve a pending request, optionally narrowing its scope."""
    narrowing = any(v for v in (plate, since, until, camera, latitude, longitude, radius_m))
    scope = (
        _scope(plate, since, until, camera, latitude, longitude, radius_m) if narrowing else None
    )
    with opened_runtime() as rt:
        request = sharing.decide(
            rt,
            console_actor(rt),
            request_id=request_id,
            approve=True,
            reason=reason,
            narrowed=scope,
        )
    console.print(
        f"request {request.id} approved: {request.reads_at_approval} reads in its scope now"
    )


@app.command("deny")
def deny(
    request_id: RecordId, reason: Annotated[str, typer.Option(help="Why it is denied.")]
) -> None:
    """Deny a pending request."""
    with opened_runtime() as rt:
        request = sharing.decide(
            rt, console_actor(rt), request_id=request_id, approve=False, reason=reason
        )
    console.print(f"request {request.id} denied")


@app.command("fulfil")
def fulfil(
    request_id: RecordId, to: Annotated[Path, typer.Option(help="A new or empty folder.")]
) -> None:
    """Export exactly the approved scope, with hashes and the release record."""
    with opened_runtime() as rt:
        request = sharing.fulfil(rt, console_actor(rt), request_id=request_id, destination=to)
    console.print(
        f"request {request.id} fulfilled: {request.reads_released} reads released to {to}; "
        f"{request.reads_no_longer_kept} reads of the scope are no longer kept (retention)"
    )
    console.print(f"manifest SHA-256: {request.manifest_sha256}")


@app.command("request-out")
def request_out(
    agency: Annotated[str, typer.Option(help="The agency or system asked.")],
    requester: Annotated[str, typer.Option(help="Our member asking.")],
    contact: Annotated[str, typer.Option(help="Their contact.")],
    purpose: Purpose,
    case: Annotated[str, typer.Option(help="Our case number.")],
    sent: Annotated[
        str, typer.Option(help="When it was sent (ISO 8601 or a date; the department's zone).")
    ],
    plate: Plates = None,
    since: Since = None,
    until: Until = None,
    camera: Cameras = None,
) -> None:
    """Record a request we make to a system we do not operate."""
    sent_on = required_time(sent)
    with opened_runtime() as rt:
        request = sharing.request_out(
            rt,
            console_actor(rt),
            agency=agency,
            requester=requester,
            requester_contact=contact,
            purpose=purpose,
            case_number=case,
            scope=_scope(plate, since, until, camera, None, None, None),
            sent_on=sent_on,
        )
    console.print(f"outgoing request {request.id} recorded")


@app.command("import-response")
def import_response(
    request_id: RecordId,
    file: Annotated[Path, typer.Argument(help="Their reads (.jsonl or .csv).")],
) -> None:
    """Import the reads another system sent back to one of our requests."""
    with opened_runtime() as rt:
        result = sharing.import_response(rt, console_actor(rt), request_id=request_id, file=file)
    console.print(f"{result.rows} rows: {result.stored} stored, {result.duplicates} already stored")


@app.command("list")
def list_(
    direction: Annotated[str | None, typer.Option(help="incoming or outgoing.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the requests on file."""
    with opened_runtime() as rt:
        found = sharing.list_requests(rt, console_actor(rt), direction=direction)
    if as_json:
        print_json(found)
        return
    table = new_table(
        "id",
        "way",
        "agency",
        "purpose",
        "case",
        "received",
        "status",
        "released",
        times={"received"},
    )
    for r in found:
        table.add_row(
            str(r.id),
            r.direction,
            r.agency,
            r.purpose,
            r.case_number,
            show_date(r.received_on, rt.settings.zone),
            r.status.value,
            "" if r.reads_released is None else str(r.reads_released),
        )
    console.print(table)


@app.command("show")
def show(
    request_id: RecordId,
    document: Annotated[Path | None, typer.Option(help="Save the written request here.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one request and its decision; optionally save the written request."""
    with opened_runtime() as rt:
        actor = console_actor(rt)
        request = sharing.get_request(rt, actor, request_id=request_id)
        data = sharing.request_document(rt, actor, request_id=request_id) if document else None
    if as_json:
        print_json([request])
    else:
        for label, value in _describe(request, rt.settings.zone):
            console.print(f"[bold]{label}:[/bold] {value}", highlight=False)
    if document and data:
        save_file(document, data)
        (errors if as_json else console).print(f"written request saved to {document}")


def _describe(r: ShareRequest, zone: tzinfo | None) -> list[tuple[str, str]]:
    lines = [
        ("request", f"{r.id} ({r.direction})"),
        ("agency", f"{r.agency} ({r.agency_type.value})"),
        ("requester", f"{r.requester} · {r.requester_contact}"),
        ("purpose", r.purpose),
        ("case", r.case_number),
        ("received", f"{show_time(r.received_on, zone)}, entered by {r.entered_by}"),
        ("scope", scope_words(r.scope, zone)),
        ("status", r.status.value),
    ]
    if r.decided_by:
        decided = f" {show_time(r.decided_at, zone)}" if r.decided_at else ""
        lines.append(("decision", f"{r.decided_by}{decided}: {r.decision_reason}"))
    if r.approved_scope:
        lines.append(("approved scope", scope_words(r.approved_scope, zone)))
    if r.fulfilled_at:
        lines.append(
            (
                "fulfilled",
                f"{show_time(r.fulfilled_at, zone)} by {r.fulfilled_by}: {r.reads_released} reads",
            )
        )
    return lines


def scope_words(scope: ReadSelection, zone: tzinfo | None) -> str:
    """Say which reads a selection names, its times in the department's zone."""
    parts = []
    if scope.read_ids:
        parts.append("reads " + ", ".join(map(str, scope.read_ids)))
    if scope.plates:
        parts.append("plates " + ", ".join(scope.plates))
    if scope.since or scope.until:
        since = show_time(scope.since, zone) if scope.since else "any time"
        until = show_time(scope.until, zone) if scope.until else "any time"
        parts.append(f"from {since} to {until}")
    if scope.cameras:
        parts.append("cameras " + ", ".join(scope.cameras))
    if scope.area:
        latitude, longitude, radius = scope.area
        parts.append(f"{radius:.0f} m around {latitude:.5f}, {longitude:.5f}")
    return "; ".join(parts) or "everything"
