"""Hot lists (426.4 c, g): feeds loaded as versions and refreshed on schedule, and partial plates
from major crimes entered by hand. A stale list is flagged; a truncated load is refused."""

import hashlib
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from platewarden.domain import Actor, HotlistEntry, HotlistVersion, SourceStatus, normalise_plate
from platewarden.matching import InvalidPatternError, is_pattern, parse_pattern
from platewarden.policy.access import Action
from platewarden.policy.purposes import check_purpose
from platewarden.quoting import CONTROL, quote
from platewarden.services.alerts import publish, raise_historical_alerts
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem, ServiceError
from platewarden.services.hotlist_files import JURISDICTION, MAX_PLATE, PLATE_TEXT, parse_hotlist
from platewarden.services.runtime import Runtime
from platewarden.store import hotlists as store
from platewarden.store.schema import hotlist_entries, text_length

REFRESH_FAILED = "hotlist_refresh_failed"
FETCH_TIMEOUT_S = 60
PATTERN_LENGTH = text_length(hotlist_entries.c.plate)
MAX_NOTES = 4000  # a note explains an entry; a longer text belongs in the case file


@dataclass(frozen=True)
class HotlistLoad:
    """What a load did: the new version and the rows it skipped."""

    version: HotlistVersion
    skipped: list[Problem]


def import_hotlist(
    rt: Runtime, actor: Actor, *, source: str, data: bytes, force: bool = False
) -> HotlistLoad:
    """Load a hot-list file as the source's new version; refuse an empty or shrunken list.

    A refused file is recorded in the audit trail with why, as a failed refresh is.
    """
    authorize(rt, actor, Action.MANAGE_HOTLISTS, parameters={"source": source})
    try:
        return _load(rt, actor, source=source, data=data, force=force)
    except InvalidInputError as exc:
        with rt.engine.begin() as conn:
            record(
                conn,
                rt,
                actor,
                "load_hotlist",
                outcome="failed",
                reason=str(exc).splitlines()[0] + " " + "; ".join(map(str, exc.problems[:5])),
                parameters={"source": source[:100], "forced": force},
            )
        raise


def _load(rt: Runtime, actor: Actor, *, source: str, data: bytes, force: bool) -> HotlistLoad:
    if not source.strip() or source == store.MANUAL:
        raise InvalidInputError(
            "not loaded:", [Problem("source", f"name the feed (not {store.MANUAL!r})")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"{source}: not loaded:", [Problem("file", "is not UTF-8 text")]
        ) from None
    entries, skipped = parse_hotlist(text, record_types=rt.policy.hotlists.record_types)
    with rt.engine.begin() as conn:
        current = store.current_versions(conn).get(source)
        _check_size(rt, source, len(entries), current=current, force=force, skipped=skipped)
        version_id = store.add_version(
            conn,
            source=source,
            loaded_at=rt.clock.now(),
            loaded_by=actor.name,
            sha256=hashlib.sha256(data).hexdigest(),
            forced=force,
            entries=entries,
        )
        store.resolve_notices(conn, kind=REFRESH_FAILED, subject=source, at=rt.clock.now())
        record(
            conn,
            rt,
            actor,
            "load_hotlist",
            parameters={
                "source": source,
                "version": version_id,
                "skipped": len(skipped),
                "forced": force,
            },
            result_count=len(entries),
        )
        version = store.get_version(conn, version_id=version_id)
    assert version is not None
    return HotlistLoad(version, skipped)


def _check_size(
    rt: Runtime,
    source: str,
    count: int,
    *,
    current: HotlistVersion | None,
    force: bool,
    skipped: list[Problem],
) -> None:
    if force:
        return
    if count == 0:
        raise InvalidInputError(
            f"{source}: refused, the new list is empty (use force to clear a list on purpose):",
            skipped,
        )
    kept = rt.policy.hotlists.min_kept_fraction
    if current is not None and count < current.entry_count * kept:
        raise InvalidInputError(
            f"{source}: refused, the new list has {count} entries where version {current.id} has "
            f"{current.entry_count} (less than {kept:.0%}); a truncated download must not clear "
            "a list (use force if it is right):",
            skipped,
        )


REFRESH_FAILED_SAYS = "refresh failed"  # how a failed feed's outcome begins


def refresh(rt: Runtime, actor: Actor, *, source: str | None = None) -> list[tuple[str, str]]:
    """Fetch and load the configured feeds; a failure keeps the last good version and says so.

    Return (source, what happened) for each feed.
    """
    authorize(rt, actor, Action.MANAGE_HOTLISTS, parameters={"source": source})
    configured = dict(rt.settings.hotlist_sources)
    if source is not None and source not in configured:
        raise NotFoundError(
            f"no hot-list source {source!r} is configured (settings: hotlist_sources)"
        )
    results = []
    for name, location in sorted(configured.items()):
        if source is not None and name != source:
            continue
        try:
            load = import_hotlist(rt, actor, source=name, data=fetch(location))
            results.append((name, f"version {load.version.id}: {load.version.entry_count} entries"))
        except (OSError, ServiceError) as exc:
            message = f"{REFRESH_FAILED_SAYS}, the last good version stays in use: {exc}"
            with rt.engine.begin() as conn:
                store.add_notice(
                    conn, at=rt.clock.now(), kind=REFRESH_FAILED, subject=name, message=message
                )
                record(
                    conn,
                    rt,
                    actor,
                    "refresh_hotlist",
                    outcome="failed",
                    reason=str(exc)[:500],
                    parameters={"source": name},
                )
            results.append((name, message))
    return results


def fetch(location: str) -> bytes:
    """Read a feed from a file path or an https:// URL."""
    if location.startswith("https://"):
        with urllib.request.urlopen(location, timeout=FETCH_TIMEOUT_S) as response:
            return response.read()
    if "://" in location:
        raise OSError(f"{location}: only file paths and https:// URLs are fetched")
    return Path(location).read_bytes()


def add_entry(
    rt: Runtime,
    actor: Actor,
    *,
    plate: str,
    purpose: str,
    case_number: str,
    jurisdiction: str | None = None,
    expires_at: datetime | None = None,
    notes: str | None = None,
    confidential: bool = False,
) -> tuple[HotlistEntry, list[int]]:
    """Enter a full or partial plate by hand, then check it against reads still kept.

    Return the entry and the historical alerts its check raised.
    """
    authorize(rt, actor, Action.MANAGE_HOTLISTS, parameters={"case_number": case_number})
    problems = _entry_problems(rt, plate, purpose, case_number, jurisdiction) + _notes_problems(
        notes
    )
    if problems:
        raise InvalidInputError("entry not added:", problems)
    now = rt.clock.now()
    text = plate.upper().strip() if is_pattern(plate) else normalise_plate(plate)
    entry = {
        "plate": text,
        "is_pattern": is_pattern(text),
        "purpose": purpose,
        "record_type": "manual",
        "jurisdiction": jurisdiction.upper() if jurisdiction else None,
        "case_number": case_number,
        "entered_at": now,
        "expires_at": expires_at or now + timedelta(days=rt.policy.hotlists.manual_expiry_days),
        "entered_by": actor.name,
        "notes": notes,
        "confidential": confidential,
    }
    with rt.engine.begin() as conn:
        entry_id = store.add_manual_entry(conn, entry=entry)
        added = store.get_entry(conn, entry_id=entry_id)
        assert added is not None
        historical = raise_historical_alerts(rt, conn, added)
        record(
            conn,
            rt,
            actor,
            "add_hotlist_entry",
            purpose=purpose,
            case_number=case_number,
            parameters={
                "entry": entry_id,
                "pattern": entry["is_pattern"],
                "confidential": confidential,
            },
            result_count=len(historical),
        )
    publish(rt, historical)
    return added, historical


def _entry_problems(
    rt: Runtime, plate: str, purpose: str, case_number: str, jurisdiction: str | None
) -> list[Problem]:
    problems: list[Problem] = []
    decision = check_purpose(rt.policy, purpose, case_number)
    if not decision.allowed:
        problems.append(Problem("purpose and case", decision.reason))
    if is_pattern(plate) and len(plate.strip()) > PATTERN_LENGTH:
        problems.append(Problem("plate", f"{quote(plate)} is over {PATTERN_LENGTH} characters"))
    elif is_pattern(plate):
        try:
            parse_pattern(plate.upper().strip(), min_fixed_chars=rt.policy.matching.min_fixed_chars)
        except InvalidPatternError as exc:
            problems.append(Problem("plate", str(exc)))
    elif not PLATE_TEXT.match(plate) or not 1 <= len(normalise_plate(plate)) <= MAX_PLATE:
        problems.append(Problem("plate", f"{quote(plate)} must have 1–10 letters or digits"))
    if jurisdiction and not JURISDICTION.match(jurisdiction.upper()):
        problems.append(Problem("jurisdiction", f"{quote(jurisdiction)} is not a 2–3 letter code"))
    return problems


def _notes_problems(notes: str | None) -> list[Problem]:
    if notes is None:
        return []
    if len(notes) > MAX_NOTES:
        return [Problem("notes", f"are over {MAX_NOTES} characters")]
    if CONTROL.search(notes.replace("\n", " ").replace("\t", " ")):
        return [Problem("notes", "hold a control character (line breaks and tabs are fine)")]
    return []


def remove_entry(rt: Runtime, actor: Actor, *, entry_id: int, reason: str) -> None:
    """Take an entry off the hot lists (a vehicle recovered, a case closed)."""
    authorize(rt, actor, Action.MANAGE_HOTLISTS, parameters={"entry": entry_id})
    if not reason.strip():
        raise InvalidInputError("entry not removed:", [Problem("reason", "is required")])
    with rt.engine.begin() as conn:
        if not store.remove_entry(
            conn, entry_id=entry_id, removed_by=actor.name, removed_at=rt.clock.now(), reason=reason
        ):
            raise NotFoundError(f"there is no entry {entry_id} in force")
        record(
            conn, rt, actor, "remove_hotlist_entry", reason=reason, parameters={"entry": entry_id}
        )


def list_entries(
    rt: Runtime, actor: Actor, *, source: str | None = None, plate: str | None = None
) -> list[HotlistEntry]:
    """Return entries in force; confidential ones without their details unless authorised."""
    authorize(rt, actor, Action.VIEW_HOTLISTS)
    with rt.engine.begin() as conn:
        entries = store.list_entries(
            conn, now=rt.clock.now(), source=source, plate=normalise_plate(plate) if plate else None
        )
        record(
            conn,
            rt,
            actor,
            "list_hotlist_entries",
            parameters={"source": source},
            result_count=len(entries),
        )
    return [_visible(entry, actor) for entry in entries]


def show_entry(rt: Runtime, actor: Actor, *, entry_id: int) -> HotlistEntry:
    """Return one entry; viewing a confidential entry's details needs the grant and is audited."""
    authorize(rt, actor, Action.VIEW_HOTLISTS, parameters={"entry": entry_id})
    with rt.engine.begin() as conn:
        entry = store.get_entry(conn, entry_id=entry_id)
        if entry is None:
            raise NotFoundError(f"there is no entry {entry_id}")
        action = "view_confidential_entry" if entry.confidential else "view_hotlist_entry"
        withheld = entry.confidential and not actor.confidential_access
        record(
            conn,
            rt,
            actor,
            action,
            outcome="withheld" if withheld else "allowed",
            purpose=entry.purpose,
            case_number=None if withheld else entry.case_number,
            parameters={"entry": entry_id},
        )
    return _visible(entry, actor)


def _visible(entry: HotlistEntry, actor: Actor) -> HotlistEntry:
    if not entry.confidential or actor.confidential_access:
        return entry
    return HotlistEntry(
        id=entry.id,
        source=entry.source,
        version_id=entry.version_id,
        plate=entry.plate,
        is_pattern=entry.is_pattern,
        purpose=entry.purpose,
        record_type=entry.record_type,
        jurisdiction=entry.jurisdiction,
        expires_at=entry.expires_at,
        confidential=True,
        notes="confidential: details need the confidential-data grant",
    )


def status(rt: Runtime, actor: Actor) -> list[SourceStatus]:
    """Return each source's current version, its age, staleness and last failure."""
    authorize(rt, actor, Action.VIEW_HOTLISTS)
    max_age = timedelta(hours=rt.policy.hotlists.max_age_hours)
    with rt.engine.connect() as conn:
        versions = store.current_versions(conn)
        failures = {
            subject: message
            for _, kind, subject, message in store.open_notices(conn)
            if kind == REFRESH_FAILED
        }
        manual = store.count_in_force(conn, now=rt.clock.now(), source=store.MANUAL)
    names = sorted(set(versions) | set(failures) | {n for n, _ in rt.settings.hotlist_sources})
    statuses = [
        SourceStatus(
            source=name,
            version=versions.get(name),
            entries=versions[name].entry_count if name in versions else 0,
            stale=name not in versions or rt.clock.now() - versions[name].loaded_at > max_age,
            last_failure=failures.get(name),
        )
        for name in names
    ]
    statuses.append(SourceStatus(store.MANUAL, None, manual, stale=False, last_failure=None))
    return statuses


def notices(rt: Runtime, actor: Actor) -> list[tuple[datetime, str, str, str]]:
    """Return the administrator's open notices (failed refreshes)."""
    authorize(rt, actor, Action.MANAGE_HOTLISTS)
    with rt.engine.connect() as conn:
        return store.open_notices(conn)
