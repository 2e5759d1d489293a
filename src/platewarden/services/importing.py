"""Reads from ALPR systems the department does not operate: JSON lines or CSV files.

Each row has read_id, plate and captured_at (ISO 8601 with a zone), and may have confidence,
jurisdiction, camera (one of ours), latitude, longitude, alternatives, image and crop (paths
inside the file's folder). Each value must have its type (a JSON number is not text, nor text a
number), fit the table and hold no control characters. The whole file is checked first: with
any bad row nothing is stored unless the caller asks to skip bad rows, which are then reported
by line.
"""

import csv
import json
import math
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from platewarden.domain import Actor, Alternative, NewRead, ReadSource
from platewarden.policy.access import Action
from platewarden.quoting import CONTROL, quote
from platewarden.services.audit import authorize
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.ingest import MAX_SOURCE_LENGTH, check_reads, ingest_reads
from platewarden.services.runtime import Runtime

BATCH = 1000
REQUIRED = ("read_id", "plate", "captured_at")
TEXT_FIELDS = (*REQUIRED, "camera", "jurisdiction", "image", "crop")
MAX_LINE = 1_000_000  # characters: a read is a few hundred; a longer line is refused unparsed
MAX_IMAGE_BYTES = 20 * 2**20  # an image file is read no further than this


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
    # Before the file is read: a member who may not ingest learns nothing about its content.
    authorize(rt, actor, Action.INGEST, parameters={"file": path.name})
    if (
        not source_name.strip()
        or len(source_name) > MAX_SOURCE_LENGTH
        or CONTROL.search(source_name)
    ):
        raise InvalidInputError(
            "not imported:",
            [
                Problem(
                    "source",
                    f"name the system the reads came from in 1–{MAX_SOURCE_LENGTH} characters",
                )
            ],
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
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".jsonl", ".ndjson", ".json"}:
        raise InvalidInputError(
            f"cannot import {path.name}:", [Problem("file", "use a .jsonl or .csv file")]
        )
    text = _read_text(path)
    is_csv = suffix == ".csv"
    rows = _csv_rows(text) if is_csv else _json_rows(text)
    parsed: list[tuple[int, NewRead]] = []
    problems: list[Problem] = []
    for line, row in rows:
        if isinstance(row, str):
            problems.append(Problem(f"line {line}", row))
            continue
        try:
            parsed.append(
                (line, read_from_row(row, path.parent, source, source_name, is_csv=is_csv))
            )
        except ValueError as exc:
            problems.append(Problem(f"line {line}", str(exc)))
    return parsed, problems


def _read_text(path: Path) -> str:
    """Read a regular file as UTF-8 text (a device or a pipe is refused, never read)."""
    try:
        with _open_regular(path) as file:
            data = file.read()
        return data.decode("utf-8")
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        if isinstance(exc, UnicodeDecodeError):
            reason = f"not UTF-8 text (byte {exc.start + 1})"
        raise InvalidInputError(f"cannot read {path}:", [Problem("file", str(reason))]) from None


def _open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading; raise ValueError for anything else (a device, a pipe)."""
    # O_NONBLOCK: opening a pipe must not wait for a writer before it can be refused.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValueError("not a regular file")
    return os.fdopen(fd, "rb")


def _lines(text: str) -> Iterator[tuple[int, str | None]]:
    """Yield (number, line), or (number, None) for a line too long to be a read."""
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, (line if len(line) <= MAX_LINE else None)


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in _lines(text):
        if line is None:
            yield number, f"the line is over {MAX_LINE:,} characters"
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        except ValueError:  # an integer over 4,300 digits
            yield number, "not valid JSON (a number is too long)"
            continue
        except RecursionError:
            yield number, "not valid JSON (nested too deep)"
            continue
        yield number, row if isinstance(row, dict) else "a line must hold one JSON object"


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    kept: list[int] = []  # the file's line number of each line the reader is given
    for number, line in _lines(text):
        if line is None:
            yield number, f"the line is over {MAX_LINE:,} characters"
        else:
            kept.append(number)
    reader = csv.DictReader(line for _, line in _lines(text) if line is not None)

    def where() -> int:  # DictReader's own line_num is not updated when a row fails
        return kept[min(reader.reader.line_num, len(kept)) - 1] if kept else 1

    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        yield 1, f"the header is not valid CSV ({_csv_reason(exc)})"
        return
    missing = [f for f in REQUIRED if f not in fieldnames]
    if missing:
        yield 1, f"the header lacks the columns: {', '.join(missing)}"
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader goes on with the next line
            yield where(), f"not valid CSV ({_csv_reason(exc)})"
            continue
        if None in row:
            yield where(), "more fields than the header has"
            continue
        yield where(), {k: v for k, v in row.items() if v not in ("", None)}


def _csv_reason(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return f"a field is over {csv.field_size_limit():,} characters"
    return str(exc)


def read_from_row(
    row: dict[str, Any],
    folder: Path | None,
    source: ReadSource,
    source_name: str,
    *,
    is_csv: bool = False,
) -> NewRead:
    """Build a read from a row; a value of the wrong type is refused, never converted.

    A CSV file holds text only, so its numbers are read from text; a JSON file has types.
    Images are files in the folder of the file; without a folder (an API body) none is taken.
    """
    missing = [f for f in REQUIRED if row.get(f) is None or row.get(f) == ""]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    text = {f: _text(row, f) for f in TEXT_FIELDS}
    try:
        captured_at = datetime.fromisoformat(str(text["captured_at"]))
    except ValueError:
        raise ValueError(
            f"captured_at {quote(text['captured_at'])} is not an ISO 8601 time"
        ) from None
    if captured_at.tzinfo is None:
        raise ValueError(
            f"captured_at {quote(text['captured_at'])} has no time zone (add Z or +hh:mm)"
        )
    return NewRead(
        client_read_id=str(text["read_id"]),
        plate=str(text["plate"]),
        captured_at=captured_at,
        confidence=_number(row, "confidence", is_csv) or 0.0,
        source=source,
        source_name=source_name,
        camera=text["camera"],
        jurisdiction=text["jurisdiction"],
        alternatives=_alternatives(row.get("alternatives")),
        latitude=_number(row, "latitude", is_csv),
        longitude=_number(row, "longitude", is_csv),
        frame_image=_image(text["image"], "image", folder),
        crop_image=_image(text["crop"], "crop", folder),
    )


def _text(row: dict[str, Any], field: str) -> str | None:
    value = row.get(field)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{field} {quote(value)} is not text")
    return value


def _number(row: dict[str, Any], field: str, is_csv: bool) -> float | None:
    value = row.get(field)
    return None if value is None else _to_number(value, field, from_text=is_csv)


def _to_number(value: Any, field: str, *, from_text: bool) -> float:
    """Return a number (or, from_text, the number a text spells) as a float; refuse the rest."""
    kinds = str if from_text else int | float
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValueError(f"{field} {quote(value)} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{field} {quote(value)} is not a number") from None
    except OverflowError:  # an integer too large for a float
        raise ValueError(f"{field} {quote(value)} is not a finite number") from None
    if not math.isfinite(number):
        raise ValueError(f"{field} {quote(value)} is not a finite number")
    return number


def _alternatives(value: Any) -> tuple[Alternative, ...]:
    """Parse [[plate, confidence], ...] or [{plate, confidence}, ...] (JSON), or the CSV text
    'PLATE:0.9;PLATE2:0.1'."""
    if value is None:
        return ()
    refusal = ValueError(f"alternatives {quote(value)} are not plate:confidence pairs")
    from_text = isinstance(value, str)
    if from_text:
        pairs: list[Any] = [item.split(":") for item in value.split(";") if item]
    elif isinstance(value, list):
        pairs = [(a.get("plate"), a.get("confidence")) if isinstance(a, dict) else a for a in value]
    else:
        raise refusal
    if not all(
        isinstance(p, list | tuple) and len(p) == 2 and isinstance(p[0], str) for p in pairs
    ):
        raise refusal
    try:
        return tuple(
            Alternative(p, _to_number(c, "confidence", from_text=from_text)) for p, c in pairs
        )
    except ValueError:
        raise refusal from None


def _image(name: str | None, field: str, folder: Path | None) -> bytes | None:
    """Read an image named relative to the file's folder; nothing outside it, nor its existence."""
    if not name:
        return None
    if folder is None:
        raise ValueError(f"{field}: a path to an image is taken only in a file's rows")
    if CONTROL.search(name):
        raise ValueError(f"{field} {quote(name)} has a control character")
    outside = ValueError(f"{field} {quote(name)} is not a file in the folder of the imported file")
    try:
        root = folder.resolve()
        target = (root / name).resolve()  # follows links: one that leads out is outside
    except (OSError, RuntimeError):
        raise outside from None
    if Path(name).is_absolute() or not target.is_relative_to(root):
        raise outside
    try:
        with _open_regular(target) as file:
            data = file.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"{field} {quote(name)} cannot be read: {exc.strerror}") from None
    except ValueError:
        raise ValueError(f"{field} {quote(name)} is not a regular file") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"{field} {quote(name)} is over {MAX_IMAGE_BYTES // 2**20} MB")
    return data
