"""Ingest files that try to break it: each is refused in one line, and nothing is stored."""

import json
import os
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from tests.factories import CAMERA_FEED, CUSTODIAN, T0, new_read, plate_image

from platewarden.quoting import quote
from platewarden.services import importing
from platewarden.services.errors import InvalidInputError
from platewarden.services.importing import ImportResult, import_reads_file
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store.reads import find_reads

RECENT = (T0 - timedelta(hours=1)).isoformat()


def row(read_id: str = "r1", plate: Any = "ABC123", **fields: Any) -> dict[str, Any]:
    """Return a good row of an ingest file, changed by fields."""
    return {"read_id": read_id, "plate": plate, "captured_at": RECENT, **fields}


def write(folder: Path, rows: list[Any], name: str = "reads.jsonl") -> Path:
    """Write rows (dicts as JSON, strings as they are) as the lines of a file."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def ingest(rt: Runtime, path: Path, *, skip_bad: bool = False) -> ImportResult:
    """Import a file as the custodian."""
    return import_reads_file(rt, CUSTODIAN, path, source_name="county", skip_bad=skip_bad)


def plates(rt: Runtime) -> list[str]:
    """Return the plates stored."""
    with rt.engine.connect() as conn:
        return [r.plate for r in find_reads(conn)]


def refusal(rt: Runtime, path: Path) -> str:
    """Import a file that must be refused; return the message, after checking nothing is stored."""
    with pytest.raises(InvalidInputError) as refused:
        ingest(rt, path)
    assert plates(rt) == []
    return str(refused.value)


def test_a_jurisdiction_that_is_a_number_or_over_8_characters_is_refused_before_storing(
    runtime: Runtime, tmp_path: Path
) -> None:
    """Jurisdiction 5 and a 9-letter one passed validation and failed in the INSERT."""
    rows = [row(f"g{n}") for n in range(2500)]
    rows[1200] = row("bad1", jurisdiction=5)
    rows[2400] = row("bad2", jurisdiction="ABCDEFGHI")
    message = refusal(runtime, write(tmp_path, rows))
    assert "line 1201: jurisdiction 5 is not text" in message
    assert "line 2401: jurisdiction 'ABCDEFGHI' is over 8 characters" in message
    result = ingest(runtime, write(tmp_path, rows), skip_bad=True)
    assert (result.stored, len(result.skipped)) == (2498, 2)


@pytest.mark.parametrize(
    "field", ["read_id", "plate", "jurisdiction", "camera", "alternatives", "image"]
)
def test_a_nul_byte_in_a_text_field_is_refused(
    runtime: Runtime, tmp_path: Path, field: str
) -> None:
    """A NUL byte failed the INSERT on PostgreSQL after earlier batches were committed."""
    value: Any = [["AB\x00C", 0.5]] if field == "alternatives" else "AB\x00C"
    message = refusal(runtime, write(tmp_path, [row(), {**row("r2"), field: value}]))
    assert "line 2:" in message
    assert "control character" in message or "not plate:confidence" in message


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"plate": 1234567}, "plate 1234567 is not text"),
        ({"plate": ["ABC"]}, "plate ['ABC'] is not text"),
        ({"read_id": {"a": 1}}, "read_id {'a': 1} is not text"),
        ({"latitude": True, "longitude": 1.0}, "latitude True is not a number"),
        ({"confidence": "0.9"}, "confidence '0.9' is not a number"),
        ({"camera": 5}, "camera 5 is not text"),
        ({"confidence": 10**400}, "is not a finite number"),
        ({"alternatives": [["ABC123", "high"]]}, "are not plate:confidence pairs"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_never_converted(
    runtime: Runtime, tmp_path: Path, fields: dict[str, Any], expected: str
) -> None:
    """A JSON number is not a plate and a boolean is not a latitude: refused, not str()-ed."""
    assert expected in refusal(runtime, write(tmp_path, [row(**fields)]))


def test_a_csv_value_that_is_not_a_finite_number_is_refused(
    runtime: Runtime, tmp_path: Path
) -> None:
    """CSV numbers are text; NaN, inf and a 400-digit number are not confidences."""
    path = tmp_path / "reads.csv"
    path.write_text(
        "read_id,plate,captured_at,confidence\n"
        f"c1,ABC123,{RECENT},nan\nc2,ABC124,{RECENT},inf\nc3,ABC125,{RECENT},{'9' * 400}\n"
    )
    message = refusal(runtime, path)
    assert all(f"line {n}: confidence" in message for n in (2, 3, 4))


def test_two_rows_with_one_read_id_and_different_plates_are_refused_both(
    runtime: Runtime, tmp_path: Path
) -> None:
    """The second row was dropped without a word; now both lines are named."""
    path = write(tmp_path, [row("r1", "ABC123"), row("r2"), row("r1", "XYZ987")])
    message = refusal(runtime, path)
    assert "line 1: read id 'r1' is given to reads of different content" in message
    assert "line 3: read id 'r1'" in message
    result = ingest(runtime, path, skip_bad=True)
    assert (result.stored, plates(runtime)) == (1, ["ABC123"])


def test_the_same_row_twice_is_a_resend_stored_once(runtime: Runtime, tmp_path: Path) -> None:
    """Identical rows under one id are not a conflict: one is stored, one is a duplicate."""
    result = ingest(runtime, write(tmp_path, [row("r1"), row("r1")]))
    assert (result.stored, result.duplicates) == (1, 1)


def test_two_reads_of_one_id_in_a_batch_are_refused_by_the_service(runtime: Runtime) -> None:
    """The service checks it too: a camera batch is not a file."""
    with pytest.raises(InvalidInputError, match="different content"):
        ingest_reads(
            runtime,
            CAMERA_FEED,
            [new_read("ABC123", client_read_id="x"), new_read("XYZ987", client_read_id="x")],
        )


def test_reads_of_the_wrong_types_sent_to_the_service_are_refused(runtime: Runtime) -> None:
    """A read built by another caller (an API, a script) is checked for its types too."""
    bad = [
        replace(new_read(), plate=1234567),
        new_read(jurisdiction=5),
        new_read(latitude=True),
        new_read(confidence=float("nan")),
        new_read(alternatives=(("ABC", 0.5),)),
    ]
    with pytest.raises(InvalidInputError) as refused:
        ingest_reads(runtime, CAMERA_FEED, bad)
    assert len({p.where for p in refused.value.problems}) == len(bad)
    assert plates(runtime) == []


def test_a_capture_time_past_the_year_9999_in_utc_is_refused(runtime: Runtime) -> None:
    """9999-12-31T23:59-14:00 overflowed when moved to UTC."""
    late = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14)))
    with pytest.raises(InvalidInputError, match="out of range"):
        ingest_reads(runtime, CAMERA_FEED, [new_read(captured_at=late)])


def _outside_layout(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(plate_image("ABC123"))
    (tmp_path / "outside.jpg").write_bytes(plate_image("OUT123"))
    (folder / "link.jpg").symlink_to(tmp_path / "outside.jpg")
    (folder / "zero.jpg").symlink_to("/dev/zero")
    return folder


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "/etc/no-such-file",
        "../outside.jpg",
        "../no-such-file.jpg",
        "../../../../../../etc/passwd",
        "link.jpg",
        "zero.jpg",
        "/dev/zero",
    ],
)
@pytest.mark.timeout(10)
def test_an_image_path_outside_the_files_folder_is_refused_alike_whether_it_exists(
    runtime: Runtime, tmp_path: Path, name: str
) -> None:
    """An absolute path, ../ or a link out attached any file, or told whether it exists."""
    path = write(_outside_layout(tmp_path), [row(image=name)])
    message = refusal(runtime, path)
    assert f"image {quote(name)} is not a file in the folder of the imported file" in message


def test_an_image_inside_the_folder_by_a_roundabout_path_is_read(
    runtime: Runtime, tmp_path: Path
) -> None:
    """sub/../a.jpg stays inside the folder: it is attached."""
    folder = _outside_layout(tmp_path)
    (folder / "sub").mkdir()
    result = ingest(runtime, write(folder, [row(image="sub/../a.jpg")]))
    assert result.stored == 1


@pytest.mark.timeout(10)
def test_a_pipe_or_a_folder_as_an_image_is_refused_without_waiting(
    runtime: Runtime, tmp_path: Path
) -> None:
    """Only regular files are read: a pipe would wait for a writer, a device never ends."""
    folder = tmp_path / "batch"
    folder.mkdir()
    os.mkfifo(folder / "pipe.jpg")
    (folder / "dir.jpg").mkdir()
    message = refusal(
        runtime, write(folder, [row("r1", image="pipe.jpg"), row("r2", crop="dir.jpg")])
    )
    assert "line 1: image 'pipe.jpg' is not a regular file" in message
    assert "line 2: crop 'dir.jpg' is not a regular file" in message


def test_an_image_over_the_size_cap_is_refused(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An image file is read no further than MAX_IMAGE_BYTES."""
    monkeypatch.setattr(importing, "MAX_IMAGE_BYTES", 1000)
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "big.jpg").write_bytes(plate_image("ABC123", (400, 200)))
    assert "image 'big.jpg' is over" in refusal(runtime, write(folder, [row(image="big.jpg")]))


def test_a_huge_integer_and_deeply_nested_json_are_refused_by_line(
    runtime: Runtime, tmp_path: Path
) -> None:
    """An integer over 4,300 digits and JSON nested 200,000 deep raised out of the parser."""
    lines = [
        '{"read_id": "r1", "plate": "A", "captured_at": "x", "confidence": ' + "9" * 5000 + "}",
        "[" * 200_000,
        '{"a": ' * 150_000,
        json.dumps(row("r2")),
    ]
    message = refusal(runtime, write(tmp_path, lines))
    assert "line 1: not valid JSON (a number is too long)" in message
    assert "line 2: not valid JSON (nested too deep)" in message
    assert "line 3: not valid JSON (nested too deep)" in message


def test_a_csv_field_over_the_field_limit_is_refused_and_the_next_rows_go_on(
    runtime: Runtime, tmp_path: Path
) -> None:
    """A CSV field over 131,072 characters stopped the reader with a traceback."""
    path = tmp_path / "reads.csv"
    path.write_text(
        "read_id,plate,captured_at\n"
        f"c1,ABC123,{RECENT}\nc2,{'A' * 140_000},{RECENT}\nc3,XYZ987,{RECENT}\n"
    )
    assert "line 3: not valid CSV (a field is over 131,072 characters)" in refusal(runtime, path)
    result = ingest(runtime, path, skip_bad=True)
    assert (result.stored, plates(runtime)) == (2, ["ABC123", "XYZ987"])


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_30_mb_line_is_refused_in_seconds(runtime: Runtime, tmp_path: Path, suffix: str) -> None:
    """A 30 MB line ran for over 300 s; lines over 1 MB are refused without being parsed."""
    header = ["read_id,plate,captured_at"] if suffix == ".csv" else []
    good = f"r1,ABC123,{RECENT}" if suffix == ".csv" else json.dumps(row())
    long = "A" * 30_000_000
    path = write(tmp_path, [*header, good, long], name=f"reads{suffix}")
    started = time.monotonic()
    message = refusal(runtime, path)
    assert time.monotonic() - started < 20
    assert f"line {len(header) + 2}: the line is over 1,000,000 characters" in message


def test_a_3_mb_plate_is_quoted_in_80_characters(runtime: Runtime, tmp_path: Path) -> None:
    """Printing a 3 MB plate took 15 s; a refusal quotes the first 80 characters of a value."""
    message = refusal(runtime, write(tmp_path, [row(plate="Q" * 900_000)]))
    assert len(message) < 400
    assert "'" + "Q" * 80 + "'…" in message


def test_an_ingest_file_that_is_a_device_or_not_utf8_is_refused(
    runtime: Runtime, tmp_path: Path
) -> None:
    """The file itself: /dev/zero would be read until memory ran out; bytes must be UTF-8."""
    link = tmp_path / "zero.jsonl"
    link.symlink_to("/dev/zero")
    with pytest.raises(InvalidInputError, match="not a regular file"):
        ingest(runtime, link)
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(json.dumps(row(plate="ABC")).encode() + b"\xe9\n")
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        ingest(runtime, latin)
