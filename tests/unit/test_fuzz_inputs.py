"""Fuzz the parsers of outside input: no input raises anything but our own refusal.

Each property tries generated files against one parser: the ingest file (JSON lines and CSV,
through the service, on SQLite and PostgreSQL), the hot-list file, the settings file, the policy
file and the image decoder. A refusal is one of our error types and, for ingest, leaves the
database as it was. The runs are bounded (a few seconds each) so that CI runs them every time.
"""

import contextlib
import csv
import io
import json
import struct
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests.factories import CUSTODIAN, T0, plate_image

from platewarden.policy import PolicyError, load_policy
from platewarden.policy.model import DEFAULT_POLICY_FILE
from platewarden.services.errors import InvalidInputError
from platewarden.services.hotlist_files import parse_hotlist
from platewarden.services.importing import import_reads_file
from platewarden.services.runtime import Runtime
from platewarden.settings import SettingsError, get_settings
from platewarden.store.schema import hotlist_entries, reads
from platewarden.vision import ImageError, Recognizer, decode_image

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # the runtime is shared on purpose: see _snapshot
        HealthCheck.large_base_example,
    ],
)

RECENT = (T0 - timedelta(hours=1)).isoformat()
NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "AB\x00C",
    "\x1b[31mRED",
    "\u202eCBA",
    "Ä",
    "A" * 120,
    "9" * 5000,
    "\n",
    ",",
    '"',
    "NaN",
    "1e999",
]
DATES = [
    RECENT,
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "2026-05-31",
    "20260531",
    "yesterday",
]
# Paths relative to the ingest file's folder; see _ingest_folder for what each one is.
IMAGE_PATHS = [
    "a.jpg",
    "sub/b.png",
    "sub/../a.jpg",
    "../outside.jpg",
    "/etc/passwd",
    "/etc/hostname",
    "link.jpg",
    "dir",
    "missing.jpg",
    "empty.jpg",
    "a.jpg\x00",
    "",
]
NASTY_LINES = [
    '{"read_id": "big", "plate": ' + "9" * 5000 + f', "captured_at": "{RECENT}"}}',
    "[" * 200_000,
    '{"a": ' * 50_000,
    "r1,ABC123," + "A" * 140_000,
    "\x00" * 10,
]


def weird() -> st.SearchStrategy[Any]:
    """Any JSON value of a type or size a field may not expect."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**18, max_value=10**40),
        st.floats(),
        st.text(max_size=12),
        st.sampled_from(NASTY_TEXT),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
    )


GOOD_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "read_id": st.sampled_from(["r1", "r2", "r3"]),
    "plate": st.sampled_from(["ABC123", "xy-987", "7KQ441"]),
    "captured_at": st.just(RECENT),
    "confidence": st.floats(0, 1),
    "jurisdiction": st.sampled_from(["MT", "ON", "QC1"]),
    "camera": st.just("cam-1"),
    "latitude": st.just(46.6),
    "longitude": st.just(-112.0),
    "alternatives": st.lists(
        st.tuples(st.sampled_from(["ABC123", "A8C123"]), st.floats(0, 1)).map(list), max_size=2
    ),
    "image": st.just("a.jpg"),
    "crop": st.just("sub/b.png"),
}
BAD_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "captured_at": st.sampled_from(DATES),
    "alternatives": st.sampled_from(["ABC123:0.9;A8C123:0.1", "x:y", ":", ";", [["A"]], [{}]]),
    "image": st.sampled_from(IMAGE_PATHS),
    "crop": st.sampled_from(IMAGE_PATHS),
}


@st.composite
def read_rows(draw: st.DrawFn) -> dict[str, Any]:
    """A good row with none, one or a few fields given a wrong type, size or value, or dropped."""
    row = {
        name: draw(strategy)
        for name, strategy in GOOD_FIELDS.items()
        if name in {"read_id", "plate", "captured_at"} or draw(st.booleans())
    }
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sorted(GOOD_FIELDS)))
        action = draw(st.integers(0, 4))
        if action == 0:
            row.pop(name, None)
        elif action == 1 and name in BAD_FIELDS:
            row[name] = draw(BAD_FIELDS[name])
        else:
            row[name] = draw(weird())
    return row


READ_ROWS = read_rows()


def _jsonl(rows: list[dict[str, Any]], extra: list[str]) -> str:
    return "\n".join([*(json.dumps(r) for r in rows), *extra]) + "\n"


def _csv(rows: list[dict[str, Any]], extra: list[str]) -> str:
    out = io.StringIO()
    columns = sorted({key for row in rows for key in row} | {"read_id", "plate", "captured_at"})
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else str(v) for k, v in row.items()} for row in rows)
    return out.getvalue() + "".join(f"{line}\n" for line in extra)


INGEST_FILES = st.tuples(
    st.sampled_from([".jsonl", ".csv"]),
    st.lists(READ_ROWS, max_size=4),
    st.lists(st.one_of(st.text(max_size=30), st.sampled_from(NASTY_LINES)), max_size=2),
).map(lambda f: (f[0], (_jsonl if f[0] == ".jsonl" else _csv)(f[1], f[2])))


def _ingest_folder(root: Path) -> Path:
    """Lay out a file's folder: images inside, one outside, a link out and a sub-folder."""
    folder = root / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "dir").mkdir()
    (folder / "a.jpg").write_bytes(plate_image("ABC123"))
    (folder / "sub" / "b.png").write_bytes(plate_image("ABC123", ext=".png"))
    (folder / "empty.jpg").write_bytes(b"")
    (root / "outside.jpg").write_bytes(plate_image("OUT123"))
    (folder / "link.jpg").symlink_to(root / "outside.jpg")
    return folder


def _snapshot(rt: Runtime) -> list[tuple[Any, ...]]:
    """Return the stored reads; examples share one database, so each compares before and after."""
    with rt.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(reads).order_by(reads.c.id))]


def check_ingest_file(rt: Runtime, suffix: str, text: str, skip_bad: bool) -> None:
    """Import one file: it is stored, or refused with the database unchanged."""
    with tempfile.TemporaryDirectory() as root:
        folder = _ingest_folder(Path(root))
        path = folder / f"reads{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        before = _snapshot(rt)
        try:
            import_reads_file(rt, CUSTODIAN, path, source_name="fuzz", skip_bad=skip_bad)
        except InvalidInputError:
            assert _snapshot(rt) == before, "a refused file changed the database"


@FUZZ
@given(file=INGEST_FILES, skip_bad=st.booleans())
def test_fuzzed_ingest_files_are_stored_or_refused_leaving_the_database_unchanged(
    runtime: Runtime, file: tuple[str, str], skip_bad: bool
) -> None:
    """Generated JSONL and CSV files of wrong types, sizes, paths and bytes: only refusals."""
    check_ingest_file(runtime, *file, skip_bad)


HOTLIST_COLUMNS = [
    "plate",
    "lic",
    "record_type",
    "typ",
    "state",
    "lis",
    "lit",
    "nic",
    "ori",
    "oca",
    "entered",
    "exp",
]
HOTLIST_CELLS = st.one_of(
    st.sampled_from(
        [
            "ABC123",
            "stolen_vehicle",
            "wanted_person",
            "MT",
            "PC",
            "N" * 40,
            "O" * 70,
            "\x00",
            "AB\x00C",
            *DATES,
        ]
    ),
    st.text(max_size=20),
)
HOTLIST_FILES = st.tuples(
    st.lists(st.sampled_from(HOTLIST_COLUMNS), min_size=1, max_size=8, unique=True),
    st.sampled_from([",", "|", "\t"]),
    st.lists(st.lists(HOTLIST_CELLS, min_size=1, max_size=9), max_size=4),
    st.lists(st.sampled_from(NASTY_LINES), max_size=1),
).map(lambda f: "\n".join([f[1].join(f[0]), *(f[1].join(r) for r in f[2]), *f[3]]))


def check_hotlist_text(text: str, record_types: dict[str, str]) -> None:
    """Parse a hot-list file: every entry it keeps fits the table and has a UTC-able time."""
    entries, _ = parse_hotlist(text, record_types=record_types)
    for entry in entries:
        for name, value in entry.items():
            if isinstance(value, str):
                length = getattr(hotlist_entries.c[name].type, "length", None)
                assert length is None or len(value) <= length, f"{name} is over {length}"
                assert value.isprintable(), f"{name} {value[:20]!r} has control characters"
            elif isinstance(value, datetime):
                value.astimezone(UTC)  # as the store does: must not overflow


@FUZZ
@given(text=HOTLIST_FILES)
def test_fuzzed_hotlist_files_give_only_storable_entries_and_refusals(text: str) -> None:
    """Generated hot-list files (dates, long fields, NUL bytes): parsed or refused per row."""
    check_hotlist_text(text, load_policy().hotlists.record_types)


TOML_VALUES = [
    '"x"',
    "5",
    "true",
    "[]",
    "{}",
    "{a = 1}",
    '{a = "b"}',
    '{w = {url = "https://x", secret = "s"}}',
    '{w = {url = 1, secret = "s"}}',
    '{w = "x"}',
    '"\\u0000"',
    '"zz"',
    '"us"',
    "1979-05-27",
    "inf",
]
SETTINGS_KEYS = [
    "data_dir",
    "database_url",
    "policy_file",
    "hotlist_sources",
    "webhooks",
    "plate_region",
    "other",
]
SETTINGS_FILES = st.one_of(
    st.binary(max_size=200),
    st.lists(
        st.tuples(st.sampled_from(SETTINGS_KEYS), st.sampled_from(TOML_VALUES)),
        max_size=5,
        unique_by=lambda kv: kv[0],
    ).map(lambda kvs: "\n".join(f"{k} = {v}" for k, v in kvs).encode()),
    st.sampled_from(
        [b"\xff\xfe", b"data_dir = '\xe9'", b"a = " + b"[" * 100_000, b"[webhooks.x]\nurl = 1"]
    ),
)


def check_settings_file(data: bytes) -> None:
    """Load settings from a file: settings, or a SettingsError."""
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "platewarden.toml"
        path.write_bytes(data)
        with contextlib.suppress(SettingsError):
            get_settings(path, environ={})


@FUZZ
@given(data=SETTINGS_FILES)
def test_fuzzed_settings_files_load_or_raise_a_settings_error(data: bytes) -> None:
    """Generated settings files (bytes, wrong types, deep nesting): only SettingsError."""
    check_settings_file(data)


POLICY_TEXT = DEFAULT_POLICY_FILE.read_text(encoding="utf-8").splitlines()


@st.composite
def policy_files(draw: st.DrawFn) -> bytes:
    """The default policy with a few lines changed, dropped or cut, or any bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    lines = list(POLICY_TEXT)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["value", "drop", "cut"]))
        if action == "value" and "=" in lines[at]:
            lines[at] = lines[at].split("=", 1)[0] + "= " + draw(st.sampled_from(TOML_VALUES))
        elif action == "drop":
            del lines[at]
        else:
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
    return "\n".join(lines).encode()


def check_policy_file(data: bytes) -> None:
    """Load a policy file: a policy, or a PolicyError."""
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "policy.toml"
        path.write_bytes(data)
        with contextlib.suppress(PolicyError):
            load_policy(path)


@FUZZ
@given(data=policy_files())
def test_fuzzed_policy_files_load_or_raise_a_policy_error(data: bytes) -> None:
    """The default policy with values of wrong types, lines dropped or cut: only PolicyError."""
    check_policy_file(data)


FORMATS = [".png", ".jpg", ".bmp", ".webp", ".tiff", ".pgm", ".ppm"]


@st.composite
def image_bytes(draw: st.DrawFn) -> bytes:
    """A small image in some format, maybe with bytes changed or cut, or any bytes."""
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.binary(max_size=300))
    if kind == 1:  # a header that claims any size over a few bytes of pixels
        w, h = draw(st.integers(-70_000, 70_000)), draw(st.integers(-70_000, 70_000))
        return draw(
            st.sampled_from(
                [
                    b"BM"
                    + struct.pack(
                        "<IHHIIiiHHIIiiII", 86, 0, 0, 54, 40, w, h, 1, 24, 0, 0, 0, 0, 0, 0
                    )
                    + bytes(32),
                    f"P5\n{w} {h}\n255\n".encode() + bytes(32),
                ]
            )
        )
    w, h = draw(st.integers(1, 48)), draw(st.integers(1, 48))
    ext = draw(st.sampled_from(FORMATS))
    channels = 1 if ext == ".pgm" else 3
    image = np.full((h, w, channels), draw(st.integers(0, 255)), np.uint8)
    data = bytearray(cv2.imencode(ext, image)[1].tobytes())
    for _ in range(draw(st.integers(0, 3))):
        data[draw(st.integers(0, min(len(data) - 1, 40)))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        del data[draw(st.integers(1, len(data))) :]
    return bytes(data)


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    """The packaged models, loaded once for this file."""
    return Recognizer.load()


def check_image(data: bytes, recognize: Callable[[np.ndarray], object]) -> None:
    """Decode image bytes: an ImageError, or an image the recognizer can read."""
    try:
        image = decode_image(data)
    except ImageError:
        return
    assert image.dtype == np.uint8
    assert image.ndim in (2, 3)
    recognize(image)


@FUZZ
@given(data=image_bytes())
def test_fuzzed_images_decode_to_readable_images_or_raise_an_image_error(
    recognizer: Recognizer, data: bytes
) -> None:
    """Generated images (tiny, odd formats, changed headers, cut): ImageError or readable."""
    check_image(data, recognizer.recognize)
