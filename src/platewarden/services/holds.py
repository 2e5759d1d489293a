"""Holds (§ 46-5-118): keep reads past retention for evidence, a lawful order or a preservation
request, until released."""

from dataclasses import asdict, fields

from sqlalchemy import Connection

from platewarden.domain import Actor, Hold, HoldKind, PreservationRequest
from platewarden.policy.access import Action
from platewarden.selection import ReadSelection
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem
from platewarden.services.runtime import Runtime
from platewarden.services.selection import selection_problems
from platewarden.store import holds as store
from platewarden.store.engine import fits_column
from platewarden.store.reads import find_reads
from platewarden.store.schema import reads as reads_table
from platewarden.store.selection import select_reads


def create_hold(
    rt: Runtime,
    actor: Actor,
    *,
    kind: HoldKind,
    purpose: str,
    case_number: str,
    reason: str,
    selection: ReadSelection,
    preservation: PreservationRequest | None = None,
) -> Hold:
    """Place a hold on the reads a selection finds now; they are kept until it is released."""
    parameters = {"kind": kind.value, "selection": _describe(selection)}
    authorize(
        rt,
        actor,
        Action.CREATE_HOLD,
        purpose=purpose,
        case_number=case_number,
        needs_purpose=True,
        parameters=parameters,
    )
    problems = _hold_problems(rt, kind, reason, selection, preservation)
    if problems:
        raise InvalidInputError("hold not created:", problems)
    with rt.engine.begin() as conn:
        read_ids = _select(rt, conn, selection)
        hold_id = store.add_hold(
            conn,
            kind=kind,
            case_number=case_number,
            purpose=purpose,
            reason=reason.strip(),
            selection=selection,
            read_ids=read_ids,
            created_by=actor.name,
            created_at=rt.clock.now(),
            preservation=preservation,
        )
        record(
            conn,
            rt,
            actor,
            "create_hold",
            purpose=purpose,
            case_number=case_number,
            parameters={"hold": hold_id, **parameters},
            result_count=len(read_ids),
        )
        hold = store.get_hold(conn, hold_id=hold_id)
    assert hold is not None
    return hold


def release_hold(rt: Runtime, actor: Actor, *, hold_id: int, reason: str) -> Hold:
    """Release an active hold: its reads are purged at the end of their retention period."""
    authorize(rt, actor, Action.RELEASE_HOLD, parameters={"hold": hold_id})
    if not reason.strip():
        raise InvalidInputError("hold not released:", [Problem("reason", "is required")])
    with rt.engine.begin() as conn:
        hold = store.get_hold(conn, hold_id=hold_id)
        if hold is None:
            raise NotFoundError(f"there is no hold {hold_id}")
        if not hold.active:
            raise InvalidInputError(
                f"hold {hold_id} not released:", [Problem("hold", "was released already")]
            )
        store.release_hold(
            conn, hold_id=hold_id, released_by=actor.name, released_at=rt.clock.now(), reason=reason
        )
        record(
            conn,
            rt,
            actor,
            "release_hold",
            reason=reason,
            purpose=hold.purpose,
            case_number=hold.case_number,
            parameters={"hold": hold_id},
        )
        released = store.get_hold(conn, hold_id=hold_id)
    assert released is not None
    return released


def list_holds(rt: Runtime, actor: Actor, *, active_only: bool = False) -> list[Hold]:
    """Return holds, newest first."""
    authorize(rt, actor, Action.VIEW_HOLDS)
    with rt.engine.begin() as conn:
        holds = store.list_holds(conn, active_only=active_only)
        record(conn, rt, actor, "list_holds", result_count=len(holds))
    return holds


def get_hold(rt: Runtime, actor: Actor, *, hold_id: int) -> Hold:
    """Return one hold."""
    authorize(rt, actor, Action.VIEW_HOLDS, parameters={"hold": hold_id})
    with rt.engine.begin() as conn:
        hold = store.get_hold(conn, hold_id=hold_id)
        if hold is None:
            raise NotFoundError(f"there is no hold {hold_id}")
        record(
            conn,
            rt,
            actor,
            "view_hold",
            purpose=hold.purpose,
            case_number=hold.case_number,
            parameters={"hold": hold_id},
        )
    return hold


def _select(rt: Runtime, conn: Connection, selection: ReadSelection) -> list[int]:
    if selection.read_ids:
        # An id beyond the column's range cannot be stored: it is missing, not an overflow.
        storable = [i for i in selection.read_ids if fits_column(conn, reads_table.c.id, i)]
        found = {r.id for r in find_reads(conn, ids=storable)} if storable else set()
        missing = sorted(set(selection.read_ids) - found)
        if missing:
            raise InvalidInputError(
                "hold not created:",
                [Problem("read ids", f"not stored (purged or never read): {missing[:20]}")],
            )
        return sorted(found)
    page = select_reads(conn, selection, rules=rt.policy.matching)
    return [r.id for r in page.reads]


def _hold_problems(
    rt: Runtime,
    kind: HoldKind,
    reason: str,
    selection: ReadSelection,
    preservation: PreservationRequest | None,
) -> list[Problem]:
    problems: list[Problem] = []
    if not reason.strip():
        problems.append(Problem("reason", "is required"))
    problems += selection_problems(selection, min_fixed_chars=rt.policy.matching.min_fixed_chars)
    if not (selection.read_ids or selection.plates or selection.area):
        problems.append(
            Problem("selection", "name read ids, or a plate or an area (a hold never takes all)")
        )
    if kind == HoldKind.PRESERVATION:
        if preservation is None:
            problems.append(
                Problem("preservation", "a preservation hold needs the sworn request's fields")
            )
        else:
            problems.extend(
                Problem(f"preservation.{f.name}", "is required (§ 46-5-118 sworn statement)")
                for f in fields(preservation)
                if not str(getattr(preservation, f.name)).strip()
            )
    elif preservation is not None:
        problems.append(
            Problem("preservation", f"only a preservation hold carries one, not {kind}")
        )
    return problems


def _describe(selection: ReadSelection) -> dict[str, object]:
    data = asdict(selection)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if v}
