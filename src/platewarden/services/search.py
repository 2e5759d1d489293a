"""Search (426.6 b): the main way ALPR data is reached, always for a purpose and a case.

By plate (full; partial with wildcards; or OCR-equivalent, which also finds reads whose
alternatives hold the plate), time window, camera and area. Each search and each image viewed
is audited with its purpose, case number, parameters and result count.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from platewarden.domain import Actor, Camera, Read
from platewarden.matching import is_pattern
from platewarden.policy.access import Action
from platewarden.policy.search import SearchShape, check_shape, search_action
from platewarden.selection import ReadSelection
from platewarden.services.audit import authorize, record
from platewarden.services.errors import AccessDeniedError, InvalidInputError, NotFoundError, Problem
from platewarden.services.runtime import Runtime
from platewarden.services.selection import selection_problems
from platewarden.store.cameras import list_cameras
from platewarden.store.engine import reading
from platewarden.store.reads import find_reads
from platewarden.store.selection import Key, select_reads

MAX_RESULTS = 1000


@dataclass(frozen=True)
class SearchQuery:
    """What to look for, and why; `after` continues from a previous page's cursor."""

    purpose: str
    case_number: str
    plate: str | None = None  # a full plate, or a pattern with ? and *
    ocr_equivalent: bool = False  # also find look-alike reads (0/O, 8/B …) and alternatives
    since: datetime | None = None
    until: datetime | None = None
    camera: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None
    limit: int = 200
    cameras: tuple[str, ...] = ()  # several cameras at once (beside or instead of `camera`)
    after: str | None = None

    @property
    def selection(self) -> ReadSelection:
        """Return which reads the query names."""
        return ReadSelection(
            plates=(self.plate,) if self.plate is not None else (),
            ocr_equivalent=self.ocr_equivalent,
            since=self.since,
            until=self.until,
            cameras=self.cameras + ((self.camera,) if self.camera else ()),
            latitude=self.latitude,
            longitude=self.longitude,
            radius_m=self.radius_m,
        )


@dataclass(frozen=True)
class SearchResult:
    """A page of reads found (oldest first), and the cursor of the next page if there is one."""

    reads: list[Read]
    next_cursor: str | None


def search_reads(rt: Runtime, actor: Actor, query: SearchQuery) -> SearchResult:
    """Find reads for a lawful purpose tied to a case, a page at a time."""
    parameters = {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in asdict(query).items()
        if v not in (None, False, ()) and k not in {"purpose", "case_number"}
    }
    shape = _shape(query)
    action = search_action(shape)
    audit_action = "query_plate" if action == Action.QUERY_PLATE else "search_reads"
    authorize(
        rt,
        actor,
        action,
        purpose=query.purpose,
        case_number=query.case_number,
        needs_purpose=True,
        parameters=parameters,
    )
    decision = check_shape(shape)
    problems = _problems(rt, query)
    if not decision.allowed or problems:
        reason = decision.reason if not decision.allowed else "; ".join(map(str, problems))
        with rt.engine.begin() as conn:  # a refused search is on the record too
            record(
                conn,
                rt,
                actor,
                audit_action,
                outcome="denied" if not decision.allowed else "refused",
                reason=reason,
                purpose=query.purpose,
                case_number=query.case_number,
                parameters=parameters,
            )
        if not decision.allowed:
            raise AccessDeniedError(f"search refused: {decision.reason}")
        raise InvalidInputError("search refused:", problems)
    # No write lock (ingest goes on during a long search); from the replica if there is one.
    with reading(rt.search_engine) as conn:
        page = select_reads(
            conn,
            query.selection,
            rules=rt.policy.matching,
            after=_key(query.after) if query.after else None,
            limit=max(1, min(query.limit, MAX_RESULTS)),
        )
    with rt.engine.begin() as conn:
        record(
            conn,
            rt,
            actor,
            audit_action,
            purpose=query.purpose,
            case_number=query.case_number,
            parameters=parameters,
            result_count=len(page.reads),
        )
    return SearchResult(page.reads, _cursor(page.after) if page.after else None)


def _shape(query: SearchQuery) -> SearchShape:
    pattern = bool(query.plate) and is_pattern(query.plate or "")
    full = bool(query.plate) and not pattern and not query.ocr_equivalent
    return SearchShape(
        purpose=query.purpose,
        full_plate=full,
        partial_plate=bool(query.plate) and not full,
        area_radius_m=query.radius_m
        if query.latitude is not None and query.longitude is not None
        else None,
        since=query.since,
        until=query.until,
    )


def _problems(rt: Runtime, query: SearchQuery) -> list[Problem]:
    problems = selection_problems(
        query.selection, min_fixed_chars=rt.policy.matching.min_fixed_chars
    )
    if query.after is not None and _key(query.after) is None:
        problems.append(Problem("after", "is not a cursor this search gave"))
    return problems


def _cursor(key: Key) -> str:
    """Return the cursor of a page's last read: its id and capture time."""
    return f"{key[1]}@{key[0].isoformat()}"


def _key(cursor: str) -> Key | None:
    read_id, _, at = cursor.partition("@")
    try:
        moment, number = datetime.fromisoformat(at), int(read_id)
    except ValueError:
        return None
    return (moment, number) if moment.tzinfo and 0 <= number < 2**63 else None


def read_image(
    rt: Runtime, actor: Actor, *, read_id: int, which: str, purpose: str, case_number: str
) -> bytes:
    """Return a read's plate crop or frame; viewing an image is an access, audited as such."""
    authorize(
        rt,
        actor,
        search_action(SearchShape(purpose, True, False, None, None, None)),
        purpose=purpose,
        case_number=case_number,
        needs_purpose=True,
        parameters={"read": read_id, "image": which},
    )
    with rt.engine.begin() as conn:
        found = find_reads(conn, ids=[read_id])
        if not found:
            raise NotFoundError(f"there is no read {read_id} (purged, or never stored)")
        blob = found[0].crop_blob if which == "crop" else found[0].frame_blob
        if blob is None:
            raise NotFoundError(f"read {read_id} has no {which} image")
        record(
            conn,
            rt,
            actor,
            "view_image",
            purpose=purpose,
            case_number=case_number,
            parameters={"read": read_id, "image": which},
            result_count=1,
        )
    return rt.blobs.get(blob)


def show_read(rt: Runtime, actor: Actor, *, read_id: int, purpose: str, case_number: str) -> Read:
    """Return one read found by a search, for the same purpose and case; audited as a view."""
    parameters = {"read": read_id}
    authorize(
        rt,
        actor,
        search_action(SearchShape(purpose, True, False, None, None, None)),
        purpose=purpose,
        case_number=case_number,
        needs_purpose=True,
        parameters=parameters,
    )
    with rt.engine.begin() as conn:
        found = find_reads(conn, ids=[read_id])
        if not found:
            raise NotFoundError(f"there is no read {read_id} (purged, or never stored)")
        record(
            conn,
            rt,
            actor,
            "view_read",
            purpose=purpose,
            case_number=case_number,
            parameters=parameters,
            result_count=1,
        )
    return found[0]


def search_cameras(rt: Runtime, actor: Actor) -> list[Camera]:
    """Return the cameras a search may name, with their positions (to draw an area on)."""
    authorize(rt, actor, Action.QUERY_PLATE)
    with rt.engine.connect() as conn:
        return list_cameras(conn)
