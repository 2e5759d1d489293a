"""Reads from ALPR systems the department does not operate: JSON lines or CSV files.

Each row has read_id, plate and captured_at (ISO 8601 with a zone), and may have confidence,
jurisdiction, camera (one of ours), latitude, longitude, alternatives, image and crop (paths
relative to the file). The whole file is checked first: with any bad row nothing is stored
unless the caller asks to skip bad rows, which are then reported by line.
"""

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from platewarden.domain import Actor, Alternative, NewRead, ReadSource
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.ingest import check_reads, ingest_reads
from platewarden.services.runtime import Runtime

BATCH = 1000
REQUIRED = ("read_id", "plate", "captured_at")


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows read, stored, already stored, and bad rows skipped."""

    rows: int
    stored: int
    duplicates: int
    skipped: list[Problem]


def import_reads_file(
    rt: Runtime,
    actor: Actor,
    path: Path,
    *,
    source_name: str,
    source: ReadSource = ReadSource.IMPORT,
    skip_bad: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check a file of reads, then ingest it in batches; re-importing it stores nothing twice."""
    if not source_name.strip():
        raise InvalidInputError(
            "not imported:", [Problem("source", "name the system the reads came from")]
        )
    parsed, problems = parse_reads_file(path, source=source, source_name=source_name)
    rows = len(parsed) + len(problems)  # each parse problem is one unreadable row
    found = check_reads(rt, [read for _, read in parsed])
    problems += [
        Problem(f"line {line}", message)
        for (line, _), messages in zip(parsed, found, strict=True)
        for message in messages
    ]
    problems.sort(key=lambda p: int(p.where.split()[1]))
    if problems and not skip_bad:
        raise InvalidInputError(f"{path.name}: {len(problems)} problems, nothing stored:", problems)
    bad_lines = {p.where for p in problems}
    good = [read for line, read in parsed if f"line {line}" not in bad_lines]
    stored = duplicates = 0
    for start in range(0, len(good), BATCH):
        batch = good[start : start + BATCH]
        result = ingest_reads(rt, actor, batch)
        stored += result.stored
        duplicates += result.duplicates
        if progress:
            progress(start + len(batch), len(good))
    return ImportResult(rows, stored, duplicates, problems)


def parse_reads_file(
    path: Path, *, source: ReadSource, source_name: str
) -> tuple[list[tuple[int, NewRead]], list[Problem]]:
    """Parse a .jsonl or .csv file into (line, read) pairs and the problems of bad rows."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}:", [Problem(str(path), str(exc))]) from None
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(text)
    elif path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        rows = _json_rows(text)
    else:
        raise InvalidInputError(
            f"cannot import {path.name}:", [Problem("file", "use a .jsonl or .csv file")]
        )
    parsed: list[tuple[int, NewRead]] = []
    problems: list[Problem] = []
    for line, row in rows:
        if isinstance(row, str):
            problems.append(Problem(f"line {line}", row))
            continue
        try:
            parsed.append((line, _read(row, path.parent, source, source_name)))
        except ValueError as exc:
            problems.append(Problem(f"line {line}", str(exc)))
    return parsed, problems


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        yield number, row if isinstance(row, dict) else "a line must hold one JSON object"


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(text.splitlines())
    missing = [f for f in REQUIRED if f not in (reader.fieldnames or [])]
    if missing:
        yield 1, f"the header lacks the columns: {', '.join(missing)}"
        return
    for row in reader:
        if None in row:
            yield reader.line_num, "more fields than the header has"
            continue
        yield reader.line_num, {k: v for k, v in row.items() if v not in ("", None)}


def _read(row: dict[str, Any], folder: Path, source: ReadSource, source_name: str) -> NewRead:
    missing = [f for f in REQUIRED if not row.get(f)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    try:
        captured_at = datetime.fromisoformat(str(row["captured_at"]))
    except ValueError:
        raise ValueError(f"captured_at {row['captured_at']!r} is not an ISO 8601 time") from None
    if captured_at.tzinfo is None:
        raise ValueError(f"captured_at {row['captured_at']!r} has no time zone (add Z or +hh:mm)")
    return NewRead(
        client_read_id=str(row["read_id"]),
        plate=str(row["plate"]),
        captured_at=captured_at,
        confidence=_number(row, "confidence", default=0.0),
        source=source,
        source_name=source_name,
        camera=row.get("camera"),
        jurisdiction=row.get("jurisdiction"),
        alternatives=_alternatives(row.get("alternatives")),
        latitude=_number(row, "latitude"),
        longitude=_number(row, "longitude"),
        frame_image=_image(row, "image", folder),
        crop_image=_image(row, "crop", folder),
    )


def _number(row: dict[str, Any], field: str, default: float | None = None) -> Any:
    value = row.get(field)
    if value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field} {value!r} is not a number") from None


def _alternatives(value: Any) -> tuple[Alternative, ...]:
    """Parse [[plate, confidence], ...] (JSON) or 'PLATE:0.9;PLATE2:0.1' (CSV)."""
    if value is None:
        return ()
    try:
        if isinstance(value, str):
            pairs = [item.split(":") for item in value.split(";") if item]
        else:
            pairs = [(a["plate"], a["confidence"]) if isinstance(a, dict) else a for a in value]
        return tuple(Alternative(str(p), float(c)) for p, c in pairs)
    except (TypeError, ValueError, KeyError):
        raise ValueError(f"alternatives {value!r} are not plate:confidence pairs") from None


def _image(row: dict[str, Any], field: str, folder: Path) -> bytes | None:
    name = row.get(field)
    if not name:
        return None
    try:
        return (folder / str(name)).read_bytes()
    except OSError as exc:
        raise ValueError(f"{field} {name!r} cannot be read: {exc.strerror}") from None
