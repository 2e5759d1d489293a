"""Hot-list files: CSV and NCIC/state-style extracts (comma, pipe or tab separated, with a header).

Columns, by our name or the NCIC field code: plate (LIC), jurisdiction (LIS, state),
plate_type (LIT), record_type (TYP, type), nic (NIC), ori (ORI), oca (OCA), entered (DTE),
expires (EXP). Dates are YYYY-MM-DD, YYYYMMDD or ISO 8601 times. Each record type maps to a
purpose through the policy file. Bad rows are skipped and reported by line.
"""

import csv
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from platewarden.domain import normalise_plate
from platewarden.quoting import CONTROL, quote
from platewarden.services.errors import Problem
from platewarden.store.schema import hotlist_entries, text_length

ALIASES = {
    "plate": ("plate", "lic", "license", "license_plate"),
    "jurisdiction": ("jurisdiction", "lis", "state"),
    "plate_type": ("plate_type", "lit"),
    "record_type": ("record_type", "typ", "type", "rty"),
    "nic": ("nic",),
    "ori": ("ori",),
    "oca": ("oca",),
    "entered_at": ("entered", "dte", "entered_at"),
    "expires_at": ("expires", "exp", "expires_at"),
}
JURISDICTION = re.compile(r"^[A-Z]{2,3}$")
PLATE_TEXT = re.compile(r"^[A-Za-z0-9 .-]+$")  # separators are dropped; anything else is a bad row
MAX_PLATE = 10
# What the hotlist_entries table holds; a longer value is a bad row, not a failed INSERT.
MAX_LENGTHS = {
    name: text_length(hotlist_entries.c[name]) for name in ("plate_type", "nic", "ori", "oca")
}


def parse_hotlist(
    text: str, *, record_types: dict[str, str]
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Parse a hot-list file into entry rows and the problems of the rows it skipped."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return [], [Problem("line 1", "the file is empty or has no header")]
    delimiter = max(",|\t", key=lines[0].count)
    reader = csv.DictReader(lines, delimiter=delimiter)
    try:
        columns = _columns(reader.fieldnames or [])
    except csv.Error as exc:
        return [], [Problem("line 1", f"the header is not valid CSV ({exc})")]
    missing = [name for name in ("plate", "record_type") if name not in columns]
    if missing:
        known = ", ".join("/".join(a) for a in (ALIASES[m] for m in missing))
        return [], [Problem("line 1", f"the header lacks the columns: {known}")]
    entries: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for where, row in _rows(reader, problems):
        if None in row:
            problems.append(Problem(where, "more fields than the header has"))
            continue
        values = {ours: (row.get(theirs) or "").strip() for ours, theirs in columns.items()}
        try:
            entries.append(_entry(values, record_types))
        except ValueError as exc:
            problems.append(Problem(where, str(exc)))
    return entries, problems


def _rows(reader: "csv.DictReader[str]", problems: list[Problem]) -> Iterator[tuple[str, dict]]:
    """Yield (line, row); a row the csv module cannot read is a problem and the next goes on."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over 131,072 characters
            # DictReader's own line_num is not updated when a row fails.
            problems.append(Problem(f"line {reader.reader.line_num}", f"not valid CSV ({exc})"))
            continue
        yield f"line {reader.line_num}", row


def _columns(header: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        for ours, aliases in ALIASES.items():
            if key in aliases:
                found[ours] = name
    return found


def _entry(values: dict[str, str], record_types: dict[str, str]) -> dict[str, Any]:
    for name, value in values.items():
        if CONTROL.search(value):
            raise ValueError(f"{name} {quote(value)} has a control character")
        longest = MAX_LENGTHS.get(name)
        if longest is not None and len(value) > longest:
            raise ValueError(f"{name} {quote(value)} is over {longest} characters")
    plate = normalise_plate(values["plate"])
    if not plate or len(plate) > MAX_PLATE or not PLATE_TEXT.match(values["plate"]):
        raise ValueError(
            f"plate {quote(values['plate'])} must have 1–{MAX_PLATE} letters or digits"
        )
    record_type = values["record_type"].lower()
    purpose = record_types.get(record_type)
    if purpose is None:
        raise ValueError(
            f"unknown record type {quote(values['record_type'])} (the policy file maps: "
            f"{', '.join(sorted(record_types))})"
        )
    jurisdiction = values.get("jurisdiction", "").upper() or None
    if jurisdiction and not JURISDICTION.match(jurisdiction):
        raise ValueError(f"jurisdiction {quote(values['jurisdiction'])} is not a 2–3 letter code")
    return {
        "plate": plate,
        "is_pattern": False,
        "purpose": purpose,
        "record_type": record_type,
        "jurisdiction": jurisdiction,
        "plate_type": values.get("plate_type") or None,
        "nic": values.get("nic") or None,
        "ori": values.get("ori") or None,
        "oca": values.get("oca") or None,
        "entered_at": parse_date(values.get("entered_at", ""), "entered"),
        "expires_at": parse_date(values.get("expires_at", ""), "expires"),
    }


def parse_date(text: str, field: str) -> datetime | None:
    """Parse YYYY-MM-DD, YYYYMMDD or an ISO 8601 time (UTC when no zone is given)."""
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{8}", text):
            moment = datetime.strptime(text, "%Y%m%d")
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{field} date {quote(text)} is not YYYY-MM-DD or YYYYMMDD") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)  # 9999-12-31T23:59:59-14:00 is past the year 9999 in UTC
    except OverflowError:
        raise ValueError(f"{field} date {quote(text)} is out of range in UTC") from None
