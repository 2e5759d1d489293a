"""Sharing (426.7, 426.3.1 g): other agencies' written requests, approved before anything is
released, and our own requests to systems we do not operate.

Requests and decisions are kept permanently. A request from an agency that is neither law
enforcement nor a prosecutor is recorded and referred to the records-release process; it is
never fulfilled here.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from platewarden.domain import (
    Actor,
    AgencyType,
    Read,
    ReadSource,
    ShareRequest,
    ShareStatus,
)
from platewarden.policy.access import Action
from platewarden.policy.retention import retention_cutoff
from platewarden.selection import ReadSelection
from platewarden.services.audit import authorize, record
from platewarden.services.errors import AccessDeniedError, InvalidInputError, NotFoundError, Problem
from platewarden.services.export import (
    ExportArchive,
    check_destination,
    write_package,
    zip_package,
)
from platewarden.services.importing import ImportResult, import_reads_file
from platewarden.services.runtime import Runtime
from platewarden.services.selection import selection_problems
from platewarden.store import sharing as store
from platewarden.store.engine import reading
from platewarden.store.selection import select_reads

OTHER_LAWFUL = "other_lawful"
DOCUMENT_LABEL = "share-request-document"
INCOMING, OUTGOING = "incoming", "outgoing"
REFERRAL = "not a law enforcement or prosecutorial agency: refer to records release"


def receive_request(
    rt: Runtime,
    actor: Actor,
    *,
    agency: str,
    agency_type: AgencyType,
    requester: str,
    requester_contact: str,
    purpose: str,
    case_number: str,
    scope: ReadSelection,
    received_on: datetime,
    law_cited: str | None = None,
    document: bytes | None = None,
    document_name: str | None = None,
) -> ShareRequest:
    """Record another agency's written request; one from another kind of body is referred."""
    authorize(rt, actor, Action.RECORD_SHARING, parameters={"agency": agency})
    problems = _request_problems(
        rt,
        agency=agency,
        requester=requester,
        purpose=purpose,
        case_number=case_number,
        law_cited=law_cited,
        scope=scope,
    )
    if problems:
        raise InvalidInputError("request not recorded:", problems)
    referred = agency_type == AgencyType.OTHER
    values: dict[str, Any] = {
        "direction": INCOMING,
        "agency": agency.strip(),
        "agency_type": agency_type.value,
        "requester": requester.strip(),
        "requester_contact": requester_contact.strip(),
        "purpose": purpose,
        "law_cited": law_cited,
        "case_number": case_number,
        "scope": scope,
        "received_on": received_on,
        "document_name": document_name,
        "document": rt.blobs.seal(document, DOCUMENT_LABEL) if document else None,
        "document_sha256": hashlib.sha256(document).hexdigest() if document else None,
        "entered_by": actor.name,
        "entered_at": rt.clock.now(),
        "status": ShareStatus.REFERRED if referred else ShareStatus.PENDING,
    }
    if referred:
        values |= {
            "decided_by": actor.name,
            "decided_at": rt.clock.now(),
            "decision_reason": REFERRAL,
        }
    with rt.engine.begin() as conn:
        request_id = store.add_request(conn, values=values)
        record(
            conn,
            rt,
            actor,
            "receive_share_request",
            purpose=_audit_purpose(purpose),
            case_number=case_number,
            parameters={"request": request_id, "agency": agency, "referred": referred},
        )
        received = store.get_request(conn, request_id=request_id)
    assert received is not None
    return received


def _audit_purpose(purpose: str) -> str | None:
    return None if purpose == OTHER_LAWFUL else purpose


def _request_problems(
    rt: Runtime,
    *,
    agency: str,
    requester: str,
    purpose: str,
    case_number: str,
    law_cited: str | None,
    scope: ReadSelection,
) -> list[Problem]:
    problems = [
        Problem(name, "is required (426.7: the written request names it)")
        for name, value in (("agency", agency), ("requester", requester), ("purpose", purpose))
        if not value.strip()
    ]
    if purpose and purpose != OTHER_LAWFUL and rt.policy.purpose(purpose) is None:
        problems.append(
            Problem("purpose", f"{purpose!r} is not a policy purpose nor {OTHER_LAWFUL}")
        )
    if purpose == OTHER_LAWFUL and not (law_cited or "").strip():
        problems.append(
            Problem("law cited", f"a request for {OTHER_LAWFUL} purposes must cite the law")
        )
    if not case_number.strip():
        problems.append(Problem("case number", "is required"))
    problems.extend(_scope_problems(rt, scope, "scope"))
    return problems


def _scope_problems(rt: Runtime, scope: ReadSelection, where: str) -> list[Problem]:
    problems = selection_problems(
        scope, min_fixed_chars=rt.policy.matching.min_fixed_chars, where=where
    )
    if not scope.plates and (scope.since is None or scope.until is None):
        problems.append(
            Problem(where, "name plates or a time window: a scope never takes everything")
        )
    return problems


def decide(
    rt: Runtime,
    actor: Actor,
    *,
    request_id: int,
    approve: bool,
    reason: str,
    narrowed: ReadSelection | None = None,
) -> ShareRequest:
    """Approve (possibly narrowing the scope) or deny a pending request, with the reason."""
    authorize(rt, actor, Action.APPROVE_SHARING, parameters={"request": request_id})
    request = _get(rt, request_id)
    if request.status != ShareStatus.PENDING or request.direction != INCOMING:
        raise InvalidInputError(
            f"request {request_id}: no decision taken:",
            [
                Problem(
                    "status",
                    f"only a pending incoming request is decided; this one is {request.status}",
                )
            ],
        )
    if rt.policy.sharing.separate_reviewer and request.entered_by == actor.name:
        _deny(rt, actor, request, "the reviewer may not be the member who entered the request")
    if not reason.strip():
        raise InvalidInputError("no decision taken:", [Problem("reason", "is required")])
    scope = narrowed or request.scope
    problems = _scope_problems(rt, scope, "approved scope") + _narrowing_problems(
        request.scope, scope
    )
    if approve and problems:
        raise InvalidInputError("not approved:", problems)
    values: dict[str, Any] = {
        "status": ShareStatus.APPROVED if approve else ShareStatus.DENIED,
        "decided_by": actor.name,
        "decided_at": rt.clock.now(),
        "decision_reason": reason,
    }
    if approve:
        values |= {"approved_scope": scope, "reads_at_approval": len(_select(rt, scope))}
    with rt.engine.begin() as conn:
        store.update_request(conn, request_id=request_id, values=values)
        record(
            conn,
            rt,
            actor,
            "approve_share_request" if approve else "deny_share_request",
            reason=reason,
            purpose=_audit_purpose(request.purpose),
            case_number=request.case_number,
            parameters={"request": request_id, "narrowed": narrowed is not None},
        )
    return _get(rt, request_id)


def _deny(rt: Runtime, actor: Actor, request: ShareRequest, reason: str) -> None:
    with rt.engine.begin() as conn:
        record(
            conn,
            rt,
            actor,
            "approve_share_request",
            outcome="denied",
            reason=reason,
            parameters={"request": request.id},
        )
    raise AccessDeniedError(f"{actor.name} may not decide request {request.id}: {reason}")


def _narrowing_problems(asked: ReadSelection, approved: ReadSelection) -> list[Problem]:
    """An approval may narrow the scope asked for, never widen it."""
    problems: list[Problem] = []
    if asked.plates and not set(approved.plates) <= set(asked.plates):
        problems.append(Problem("approved scope", "holds plates the request did not ask for"))
    if asked.plates and not approved.plates:
        problems.append(Problem("approved scope", "drops the plates the request was limited to"))
    if asked.since and (approved.since is None or approved.since < asked.since):
        problems.append(Problem("approved scope", "starts before the window asked for"))
    if asked.until and (approved.until is None or approved.until > asked.until):
        problems.append(Problem("approved scope", "ends after the window asked for"))
    if asked.cameras and not (approved.cameras and set(approved.cameras) <= set(asked.cameras)):
        problems.append(Problem("approved scope", "holds cameras the request did not ask for"))
    if asked.radius_m is not None and (
        approved.radius_m is None or approved.radius_m > asked.radius_m
    ):
        problems.append(Problem("approved scope", "covers more area than asked for"))
    return problems


def fulfil(rt: Runtime, actor: Actor, *, request_id: int, destination: Path) -> ShareRequest:
    """Export exactly the approved scope to a new folder, with hashes and a release record."""
    reads, release, record_release = _release(rt, actor, request_id)
    destination = check_destination(destination)
    write_package(rt, destination, reads, release, record_package=record_release)
    return _get(rt, request_id)


def fulfil_archive(
    rt: Runtime, actor: Actor, *, request_id: int
) -> tuple[ShareRequest, ExportArchive]:
    """Release exactly the approved scope as a zip archive, with hashes and a record."""
    reads, release, record_release = _release(rt, actor, request_id)
    made = zip_package(rt, reads, release, record_package=record_release)
    return _get(rt, request_id), made


def _release(
    rt: Runtime, actor: Actor, request_id: int
) -> tuple[list[Read], dict[str, Any], Callable[[Connection, str], None]]:
    """Check the member and the request; return the reads, the release record and a recorder."""
    authorize(rt, actor, Action.FULFIL_SHARING, parameters={"request": request_id})
    request = _get(rt, request_id)
    authorize(
        rt,
        actor,
        Action.FULFIL_SHARING,
        purpose=_audit_purpose(request.purpose),
        case_number=request.case_number,
        parameters={"request": request_id},
    )
    if request.status != ShareStatus.APPROVED or request.approved_scope is None:
        raise InvalidInputError(
            f"request {request_id} not fulfilled:",
            [
                Problem(
                    "status", f"only an approved request is fulfilled; this one is {request.status}"
                )
            ],
        )
    reads = _select(rt, request.approved_scope)
    now = rt.clock.now()
    gone = max(0, (request.reads_at_approval or 0) - len(reads))
    release = {
        "release": {
            "request": request.id,
            "to_agency": request.agency,
            "to_person": request.requester,
            "contact": request.requester_contact,
            "purpose": request.purpose,
            "case_number": request.case_number,
            "approved_by": request.decided_by,
            "approved_at": request.decided_at.isoformat() if request.decided_at else None,
            "released_by": actor.name,
            "released_at": now.isoformat(),
            "retention_cutoff": retention_cutoff(rt.policy, now).isoformat(),
            "reads_no_longer_kept": gone,
        },
        "custody": [{"event": "released", "by": actor.name, "at": now.isoformat()}],
    }

    def record_release(conn: Connection, manifest_sha: str) -> None:
        store.update_request(
            conn,
            request_id=request_id,
            values={
                "status": ShareStatus.FULFILLED,
                "fulfilled_by": actor.name,
                "fulfilled_at": now,
                "reads_released": len(reads),
                "reads_no_longer_kept": gone,
                "manifest_sha256": manifest_sha,
            },
        )
        record(
            conn,
            rt,
            actor,
            "fulfil_share_request",
            purpose=_audit_purpose(request.purpose),
            case_number=request.case_number,
            result_count=len(reads),
            parameters={
                "request": request_id,
                "manifest_sha256": manifest_sha,
                "no_longer_kept": gone,
            },
        )

    return reads, release, record_release


def _select(rt: Runtime, scope: ReadSelection) -> list[Read]:
    """Return the stored reads a scope covers."""
    with reading(rt.engine) as conn:
        return select_reads(conn, scope, rules=rt.policy.matching).reads


def request_out(
    rt: Runtime,
    actor: Actor,
    *,
    agency: str,
    requester: str,
    requester_contact: str,
    purpose: str,
    case_number: str,
    scope: ReadSelection,
    sent_on: datetime,
) -> ShareRequest:
    """Record a request the department makes to a system it does not operate (426.3.1 g)."""
    authorize(
        rt,
        actor,
        Action.RECORD_SHARING,
        purpose=purpose,
        case_number=case_number,
        needs_purpose=True,
        parameters={"agency": agency},
    )
    problems = _request_problems(
        rt,
        agency=agency,
        requester=requester,
        purpose=purpose,
        case_number=case_number,
        law_cited=None,
        scope=scope,
    )
    if problems:
        raise InvalidInputError("request not recorded:", problems)
    with rt.engine.begin() as conn:
        request_id = store.add_request(
            conn,
            values={
                "direction": OUTGOING,
                "agency": agency.strip(),
                "agency_type": AgencyType.LAW_ENFORCEMENT.value,
                "requester": requester.strip(),
                "requester_contact": requester_contact.strip(),
                "purpose": purpose,
                "law_cited": None,
                "case_number": case_number,
                "scope": scope,
                "received_on": sent_on,
                "entered_by": actor.name,
                "entered_at": rt.clock.now(),
                "status": ShareStatus.PENDING,
            },
        )
        record(
            conn,
            rt,
            actor,
            "request_out",
            purpose=purpose,
            case_number=case_number,
            parameters={"request": request_id, "agency": agency},
        )
    return _get(rt, request_id)


def import_response(rt: Runtime, actor: Actor, *, request_id: int, file: Path) -> ImportResult:
    """Import the reads another system sent back, tagged with their source and our request."""
    authorize(rt, actor, Action.INGEST, parameters={"request": request_id})
    request = _get(rt, request_id)
    if request.direction != OUTGOING or request.status != ShareStatus.PENDING:
        raise InvalidInputError(
            f"request {request_id}: nothing imported:",
            [Problem("request", "only a pending request of ours takes a response")],
        )
    result = import_reads_file(
        rt,
        actor,
        file,
        source_name=f"{request.agency} (request {request.id})",
        source=ReadSource.AGENCY,
    )
    with rt.engine.begin() as conn:
        store.update_request(
            conn,
            request_id=request_id,
            values={
                "status": ShareStatus.FULFILLED,
                "fulfilled_by": actor.name,
                "fulfilled_at": rt.clock.now(),
                "reads_released": result.stored,
            },
        )
        record(
            conn,
            rt,
            actor,
            "import_response",
            purpose=request.purpose,
            case_number=request.case_number,
            parameters={"request": request_id},
            result_count=result.stored,
        )
    return result


def list_requests(rt: Runtime, actor: Actor, *, direction: str | None = None) -> list[ShareRequest]:
    """Return the requests on file, newest first."""
    authorize(rt, actor, Action.RECORD_SHARING)
    with rt.engine.begin() as conn:
        found = store.list_requests(conn, direction=direction)
        record(conn, rt, actor, "list_share_requests", result_count=len(found))
    return found


def get_request(rt: Runtime, actor: Actor, *, request_id: int) -> ShareRequest:
    """Return one request and its decision (audited)."""
    authorize(rt, actor, Action.RECORD_SHARING, parameters={"request": request_id})
    request = _get(rt, request_id)
    with rt.engine.begin() as conn:
        record(
            conn,
            rt,
            actor,
            "view_share_request",
            case_number=request.case_number,
            parameters={"request": request_id},
        )
    return request


def request_document(rt: Runtime, actor: Actor, *, request_id: int) -> bytes:
    """Return the written request itself (audited)."""
    authorize(rt, actor, Action.RECORD_SHARING, parameters={"request": request_id})
    with rt.engine.begin() as conn:
        sealed = store.request_document(conn, request_id=request_id)
        if sealed is None:
            raise NotFoundError(f"request {request_id} has no document on file")
        record(conn, rt, actor, "view_share_document", parameters={"request": request_id})
    return rt.blobs.unseal(sealed, DOCUMENT_LABEL)


def _get(rt: Runtime, request_id: int) -> ShareRequest:
    with rt.engine.connect() as conn:
        request = store.get_request(conn, request_id=request_id)
    if request is None:
        raise NotFoundError(f"there is no sharing request {request_id}")
    return request
