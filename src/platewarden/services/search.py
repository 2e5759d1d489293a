"""Search (426.6 b): the main way ALPR data is reached, always for a purpose and a case.

By plate (full; partial with wildcards; or OCR-equivalent, which also finds reads whose
alternatives hold the plate), time window, camera and area. Each search and each image viewed
is audited with its purpose, case number, parameters and result count.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from platewarden.domain import Actor, Read, normalise_plate
from platewarden.matching import (
    HotlistIndex,
    IndexEntry,
    InvalidPatternError,
    is_pattern,
    parse_pattern,
)
from platewarden.policy.access import Action
from platewarden.policy.search import SearchShape, check_shape, search_action
from platewarden.services.audit import authorize, record
from platewarden.services.errors import AccessDeniedError, InvalidInputError, NotFoundError, Problem
from platewarden.services.hotlist_files import MAX_PLATE, PLATE_TEXT
from platewarden.services.runtime import Runtime
from platewarden.store.reads import find_reads

MAX_RESULTS = 1000


@dataclass(frozen=True)
class SearchQuery:
    """What to look for, and why."""

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


@dataclass(frozen=True)
class SearchResult:
    """The reads found (oldest first) and whether more were found than returned."""

    reads: list[Read]
    total: int


def search_reads(rt: Runtime, actor: Actor, query: SearchQuery) -> SearchResult:
    """Find reads for a lawful purpose tied to a case."""
    parameters = {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in asdict(query).items()
        if v not in (None, False) and k not in {"purpose", "case_number"}
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
    found = _find(rt, query)
    with rt.engine.begin() as conn:
        record(
            conn,
            rt,
            actor,
            audit_action,
            purpose=query.purpose,
            case_number=query.case_number,
            parameters=parameters,
            result_count=len(found),
        )
    limit = max(1, min(query.limit, MAX_RESULTS))
    return SearchResult(found[:limit], len(found))


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
    problems: list[Problem] = []
    if query.plate and is_pattern(query.plate):
        try:
            parse_pattern(query.plate.upper(), min_fixed_chars=rt.policy.matching.min_fixed_chars)
        except InvalidPatternError as exc:
            problems.append(Problem("plate", str(exc)))
    elif query.plate is not None and (
        not PLATE_TEXT.match(query.plate) or not 1 <= len(normalise_plate(query.plate)) <= MAX_PLATE
    ):
        problems.append(Problem("plate", f"{query.plate!r} must have 1–10 letters or digits"))
    area = (query.latitude, query.longitude, query.radius_m)
    if any(v is not None for v in area) and not all(v is not None for v in area):
        problems.append(Problem("area", "needs latitude, longitude and radius together"))
    if query.radius_m is not None and query.radius_m <= 0:
        problems.append(Problem("radius", "must be more than 0 m"))
    return problems


def _find(rt: Runtime, query: SearchQuery) -> list[Read]:
    plate = query.plate.upper().strip() if query.plate else None
    exact = plate is not None and not is_pattern(plate) and not query.ocr_equivalent
    with rt.engine.connect() as conn:
        candidates = find_reads(
            conn,
            plate=normalise_plate(plate) if exact and plate else None,
            camera=query.camera,
            since=query.since,
            until=query.until,
            latitude=query.latitude,
            longitude=query.longitude,
            radius_m=query.radius_m,
        )
    if plate is None or exact:
        return candidates
    rules = rt.policy.matching
    if not query.ocr_equivalent:  # a pattern, read literally
        pattern = parse_pattern(plate, min_fixed_chars=rules.min_fixed_chars)
        return [read for read in candidates if pattern.matches(read.plate)]
    text = plate if is_pattern(plate) else normalise_plate(plate)
    index = HotlistIndex.build(
        [IndexEntry(0, text, None, is_pattern(text))],
        confusable_classes=rules.confusable_classes,
        max_substitutions=rules.max_substitutions,
        min_fixed_chars=rules.min_fixed_chars,
    )
    return [
        read
        for read in candidates
        if index.match(
            [(read.plate, read.confidence)] + [(a.plate, a.confidence) for a in read.alternatives],
            None,
        )
    ]


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
