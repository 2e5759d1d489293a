"""Evidence export: a held case's reads and images on portable media, with hashes and custody.

A package holds images/, reads.csv, reads.json, custody.json (who exported what, when, under
which hold and evidence number), evidence_sheet.pdf (the same, and every read with its image
files and their hashes, to print and book in with the media) and manifest.json (the SHA-256
of every other file). The
manifest's own hash is recorded in the store and printed, to be written on the evidence label.
The same files go into a folder (the console's export to a drive) or a zip archive returned as
a stream (a download); either is checked against its manifest and the store's record.

All or nothing: the inputs are checked before anything is written; a folder is built beside
its destination and moved into place in the transaction that records it, so that a package
on disk always has its record and its audit entry; an archive is whole before it is recorded,
and returned only once recorded. Every file is readable by its owner only.
"""

import csv
import hashlib
import io
import json
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from platewarden import __version__
from platewarden.domain import Actor, Hold, Read
from platewarden.image_format import suffix_for
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem, ServiceError
from platewarden.services.export_sheet import SHEET, evidence_sheet
from platewarden.services.runtime import Runtime
from platewarden.store import holds as hold_store
from platewarden.store.blobs import BlobError
from platewarden.store.exports import (
    EVIDENCE_NUMBER_LENGTH,
    EXPORTED_BY_LENGTH,
    ExportRecord,
    PackageRecord,
    add_export,
    find_package,
    recent_exports,
)
from platewarden.store.files import make_private_dir, write_private
from platewarden.store.reads import find_reads

MANIFEST = "manifest.json"
CUSTODY = "custody.json"
# Far above any real export's manifest (about 100 bytes a file), far below what hurts to read.
MANIFEST_MAX_BYTES = 32 * 1024 * 1024
MAX_ARCHIVE_FILES = 200_000  # two images a read: far above any hold, far below what hurts
SPOOL_BYTES = 64 * 1024 * 1024  # an archive larger than this is spooled to a temporary file
ARCHIVE_DESTINATION = "download (zip archive)"  # the exports table's destination of a download
COORDINATE_DECIMALS = 6  # about 0.1 m: reads.csv writes no more digits than a position has
# Writes a package's printable sheet from its custody record, its reads' rows and the images'
# hashes by file name.
SheetWriter = Callable[[dict[str, Any], list[dict[str, Any]], dict[str, str]], bytes]
READ_FIELDS = [
    "id",
    "plate",
    "jurisdiction",
    "confidence",
    "captured_at",
    "camera",
    "latitude",
    "longitude",
    "source",
    "source_name",
    "client_read_id",
    "plate_box",
    "alternatives",
    "frame_image",
    "crop_image",
]


@dataclass(frozen=True)
class ExportResult:
    """Where an export went and the hash to write on the evidence label."""

    destination: Path
    read_count: int
    image_count: int
    manifest_sha256: str


@dataclass(frozen=True)
class ExportArchive:
    """A package as a zip archive: the stream (read from its start) and the label's hash."""

    stream: IO[bytes]
    read_count: int
    image_count: int
    manifest_sha256: str


@dataclass(frozen=True)
class ExportCheck:
    """The result of checking an export folder against its manifest."""

    manifest_sha256: str
    files_checked: int
    changed: list[str]
    missing: list[str]
    unexpected: list[str]
    # The store's record of a package with this manifest; None when none (or not looked up).
    record: PackageRecord | None = None

    @property
    def ok(self) -> bool:
        """True when every file is present and unchanged, and nothing was added."""
        return not (self.changed or self.missing or self.unexpected)


def export_hold(
    rt: Runtime, actor: Actor, *, hold_id: int, evidence_number: str, destination: Path
) -> ExportResult:
    """Write a hold's reads and images to a new folder with a manifest and custody record."""
    reads, custody, record_export = _prepare(rt, actor, hold_id, evidence_number)
    destination = check_destination(destination)
    images, manifest_sha = write_package(
        rt,
        destination,
        reads,
        custody,
        record_package=record_export(str(destination)),
        sheet=_sheet_writer(rt),
    )
    return ExportResult(destination, len(reads), images, manifest_sha)


def export_hold_archive(
    rt: Runtime, actor: Actor, *, hold_id: int, evidence_number: str
) -> ExportArchive:
    """Return a hold's reads and images as a zip archive with a manifest and custody record."""
    reads, custody, record_export = _prepare(rt, actor, hold_id, evidence_number)
    return zip_package(
        rt,
        reads,
        custody,
        record_package=record_export(ARCHIVE_DESTINATION),
        sheet=_sheet_writer(rt),
    )


def _sheet_writer(rt: Runtime) -> SheetWriter:
    """Return the writer of an evidence export's sheet, in the department's words and zone."""
    return partial(
        evidence_sheet,
        agency=rt.policy.agency,
        purposes={p.code: p.title for p in rt.policy.purposes},
        zone=rt.settings.zone,
    )


def list_exports(rt: Runtime, actor: Actor, *, limit: int = 100) -> list[ExportRecord]:
    """Return the latest evidence exports on record, newest first."""
    authorize(rt, actor, Action.EXPORT_EVIDENCE)
    with rt.engine.begin() as conn:
        found = recent_exports(conn, limit=limit)
        record(conn, rt, actor, "list_exports", result_count=len(found))
    return found


def _prepare(
    rt: Runtime, actor: Actor, hold_id: int, evidence_number: str
) -> tuple[list[Read], dict[str, Any], Callable[[str], Callable[[Connection, str], None]]]:
    """Check the member, hold and evidence number; return the reads, custody and a recorder."""
    parameters = {"hold": hold_id, "evidence_number": evidence_number[:80]}
    authorize(rt, actor, Action.EXPORT_EVIDENCE, parameters=parameters)  # before any look-up
    with rt.engine.connect() as conn:
        hold = hold_store.get_hold(conn, hold_id=hold_id)
    if hold is None:
        raise NotFoundError(f"there is no hold {hold_id}")
    authorize(  # and for the hold's own purpose and case
        rt,
        actor,
        Action.EXPORT_EVIDENCE,
        purpose=hold.purpose,
        case_number=hold.case_number,
        needs_purpose=True,
        parameters=parameters,
    )
    _check_text("evidence number", evidence_number, EVIDENCE_NUMBER_LENGTH, required=True)
    _check_text("your member name", actor.name, EXPORTED_BY_LENGTH, required=True)
    with rt.engine.connect() as conn:
        reads = find_reads(conn, hold_id=hold_id)
    exported_at = rt.clock.now()
    custody = _custody(hold, actor=actor, evidence_number=evidence_number, at=exported_at)

    def recorder(destination: str) -> Callable[[Connection, str], None]:
        def record_export(conn: Connection, manifest_sha: str) -> None:
            add_export(
                conn,
                hold_id=hold_id,
                evidence_number=evidence_number,
                exported_by=actor.name,
                exported_at=exported_at,
                destination=destination,
                read_count=len(reads),
                manifest_sha256=manifest_sha,
            )
            record(
                conn,
                rt,
                actor,
                "export_evidence",
                purpose=hold.purpose,
                case_number=hold.case_number,
                parameters={**parameters, "manifest_sha256": manifest_sha},
                result_count=len(reads),
            )

        return record_export

    return reads, custody, recorder


def check_destination(destination: Path) -> Path:
    """Return the destination as an absolute path; refuse one that cannot be a new package.

    A package goes into a new folder, or an empty one other than the current folder (which
    cannot be replaced under the person standing in it).
    """
    problem = _destination_problem(destination)
    if problem is None:
        target = destination.expanduser().absolute()
        try:
            target = target.resolve()
            cwd = Path.cwd().resolve()
        except (OSError, RuntimeError) as exc:  # a loop of links, a vanished current folder
            problem = f"{destination} cannot be resolved: {exc}"
        else:
            if target == cwd or target in cwd.parents:
                problem = f"{destination} is the current folder or holds it; name a new folder"
            elif target.exists() and (not target.is_dir() or any(target.iterdir())):
                problem = f"{destination} is not an empty folder"
    if problem is not None:
        raise InvalidInputError("nothing written:", [Problem("destination", problem)])
    return target


def write_package(
    rt: Runtime,
    destination: Path,
    reads: list[Read],
    custody: dict[str, Any],
    *,
    record_package: Callable[[Connection, str], None],
    sheet: SheetWriter | None = None,
) -> tuple[int, str]:
    """Write reads, images, a custody record (and sheet) and the manifest; return (images,
    manifest hash).

    The package is built beside the destination and moved into place inside the transaction
    in which record_package(conn, manifest hash) records it: a failure at any step leaves
    neither files nor a record behind.
    """
    staging = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.partial")
    placed = False
    try:
        make_private_dir(staging)
        make_private_dir(staging / "images")
        hashes: dict[str, str] = {}
        for name, data in package_files(rt, reads, custody, sheet=sheet):
            write_private(staging / name, data, exclusive=True)
            hashes[name] = hashlib.sha256(data).hexdigest()
        manifest = _manifest(hashes)
        write_private(staging / MANIFEST, manifest, exclusive=True)
        manifest_sha = hashlib.sha256(manifest).hexdigest()
        with rt.engine.begin() as conn:
            record_package(conn, manifest_sha)
            # Last in the transaction: a move that fails rolls the record back.
            staging.rename(destination)
            placed = True
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if placed:  # the record did not commit: no package without its record
            shutil.rmtree(destination, ignore_errors=True)
        if isinstance(exc, OSError):
            raise InvalidInputError(
                "nothing written:", [Problem("destination", f"{destination}: {exc.strerror}")]
            ) from None
        _raise_refused_record(exc)
        raise
    return _image_count(hashes), manifest_sha


def zip_package(
    rt: Runtime,
    reads: list[Read],
    custody: dict[str, Any],
    *,
    record_package: Callable[[Connection, str], None],
    sheet: SheetWriter | None = None,
) -> ExportArchive:
    """Return the package as a zip archive, recorded by record_package(conn, manifest hash)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned open)
    try:
        hashes: dict[str, str] = {}
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in package_files(rt, reads, custody, sheet=sheet):
                # Images are compressed already; the tables are text.
                packed = zipfile.ZIP_STORED if name.startswith("images/") else zipfile.ZIP_DEFLATED
                archive.writestr(name, data, compress_type=packed)
                hashes[name] = hashlib.sha256(data).hexdigest()
            manifest = _manifest(hashes)
            archive.writestr(MANIFEST, manifest, compress_type=zipfile.ZIP_DEFLATED)
        manifest_sha = hashlib.sha256(manifest).hexdigest()
        with rt.engine.begin() as conn:
            record_package(conn, manifest_sha)
    except BaseException as exc:
        out.close()
        _raise_refused_record(exc)
        raise
    out.seek(0)
    return ExportArchive(out, len(reads), _image_count(hashes), manifest_sha)


def package_files(
    rt: Runtime, reads: list[Read], custody: dict[str, Any], *, sheet: SheetWriter | None = None
) -> Iterator[tuple[str, bytes]]:
    """Yield each file of a package but its manifest: the images, the reads, custody and the
    printable sheet when there is a writer for one."""
    rows: list[dict[str, Any]] = []
    image_hashes: dict[str, str] = {}
    for read in reads:
        row = _read_row(read)
        for label, blob in (("frame", read.frame_blob), ("crop", read.crop_blob)):
            if blob is None:
                continue
            try:
                data = rt.blobs.get(blob)
            except BlobError as exc:
                raise InvalidInputError(
                    "export stopped, nothing written:",
                    [Problem(f"read {read.id} {label}", str(exc))],
                ) from None
            name = f"images/{read.id}_{label}{suffix_for(data)}"
            yield name, data
            row[f"{label}_image"] = name
            image_hashes[name] = hashlib.sha256(data).hexdigest()
        rows.append(row)
    yield "reads.json", _json(rows)
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=READ_FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow(_csv_row(row))
    yield "reads.csv", table.getvalue().encode("utf-8")
    custody = {**custody, "reads": len(reads), "images": len(image_hashes)}
    yield CUSTODY, _json(custody)
    if sheet is not None:
        yield SHEET, sheet(custody, rows, image_hashes)


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return a read's row as reads.csv writes it: lists as JSON, positions to 6 decimals."""
    out = {k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()}
    for key in ("latitude", "longitude"):
        if row[key] is not None:
            out[key] = f"{row[key]:.{COORDINATE_DECIMALS}f}"
    return out


def _raise_refused_record(exc: BaseException) -> None:
    """Say the database refused the package's record (not a connection failure)."""
    if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError):
        first_line = str(exc.orig).splitlines()[0] if str(exc.orig) else type(exc).__name__
        raise ServiceError(
            f"nothing written: the database refused the record ({first_line})"
        ) from None


def _image_count(hashes: dict[str, str]) -> int:
    return sum(name.startswith("images/") for name in hashes)


def verify_export(folder: Path) -> ExportCheck:
    """Check every file of an export against its manifest and name what changed."""
    raw = _read_manifest(folder)
    listed = _parse_manifest(raw, str(folder))
    try:
        present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        present.discard(MANIFEST)
        changed = sorted(
            name
            for name, digest in listed.items()
            if name in present and _sha256(folder / name) != digest
        )
    except OSError as exc:
        raise InvalidInputError(
            f"{folder} cannot be checked:",
            [Problem(str(exc.filename or folder), exc.strerror or str(exc))],
        ) from None
    return ExportCheck(
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        files_checked=len(listed),
        changed=changed,
        missing=sorted(set(listed) - present),
        unexpected=sorted(present - set(listed)),
    )


def verify_archive(archive: IO[bytes]) -> ExportCheck:
    """Check every file of a zip archive against its manifest and name what changed."""
    try:
        with zipfile.ZipFile(archive) as opened:
            members = [i for i in opened.infolist() if not i.is_dir()]
            if len(members) > MAX_ARCHIVE_FILES:
                raise _not_an_export("archive", f"holds over {MAX_ARCHIVE_FILES} files")
            present = {i.filename for i in members}
            if MANIFEST not in present:
                raise _not_an_export(MANIFEST, "missing")
            with opened.open(MANIFEST) as f:
                raw = f.read(MANIFEST_MAX_BYTES + 1)
            listed = _parse_manifest(raw, "the archive")
            present.discard(MANIFEST)
            changed = sorted(
                name
                for name, digest in listed.items()
                if name in present and _member_sha256(opened, name) != digest
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise _not_an_export("archive", f"is not a readable zip archive ({exc})") from None
    except RuntimeError as exc:  # an encrypted member
        raise _not_an_export("archive", str(exc)) from None
    return ExportCheck(
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        files_checked=len(listed),
        changed=changed,
        missing=sorted(set(listed) - present),
        unexpected=sorted(present - set(listed)),
    )


def verify_recorded_export(rt: Runtime, actor: Actor, folder: Path) -> ExportCheck:
    """Check an export against its manifest and the manifest against the store's record of it.

    A manifest written again after the files were changed matches the files, but not the
    hash recorded when the package was made.
    """
    authorize(rt, actor, Action.VIEW_HOLDS, parameters={"folder": str(folder)})
    return _on_record(rt, actor, verify_export(folder))


def verify_recorded_archive(rt: Runtime, actor: Actor, archive: IO[bytes]) -> ExportCheck:
    """Check a zip archive against its manifest, and the manifest against the store's record."""
    authorize(rt, actor, Action.VIEW_HOLDS, parameters={"folder": "(zip archive)"})
    return _on_record(rt, actor, verify_archive(archive))


def _on_record(rt: Runtime, actor: Actor, check: ExportCheck) -> ExportCheck:
    """Look the manifest up in the store's record, and audit the check."""
    with rt.engine.begin() as conn:
        found = find_package(conn, manifest_sha256=check.manifest_sha256)
        record(
            conn,
            rt,
            actor,
            "verify_export",
            parameters={
                "manifest_sha256": check.manifest_sha256,
                "on_record": found is not None,
                "files_match": check.ok,
            },
            result_count=check.files_checked,
        )
    return replace(check, record=found)


def _read_manifest(folder: Path) -> bytes:
    """Return the manifest's bytes, refusing one too large to be a manifest."""
    path = folder / MANIFEST
    if not path.is_file():
        raise InvalidInputError(f"{folder} is not an export:", [Problem(MANIFEST, "missing")])
    try:
        with path.open("rb") as f:
            return f.read(MANIFEST_MAX_BYTES + 1)
    except OSError as exc:
        raise _unusable(str(folder), f"cannot be read: {exc.strerror}") from None


def _parse_manifest(raw: bytes, where: str) -> dict[str, str]:
    """Return the manifest's files and hashes, refusing anything but what export writes."""
    if len(raw) > MANIFEST_MAX_BYTES:
        raise _unusable(where, f"is larger than {MANIFEST_MAX_BYTES // (1024 * 1024)} MiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _unusable(where, "is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _unusable(where, f"is not JSON: {exc}") from None
    except RecursionError:
        raise _unusable(where, "is nested too deeply to be a manifest") from None
    if not isinstance(data, dict) or data.get("algorithm") != "sha256":
        raise _unusable(where, 'is not an object with "algorithm": "sha256"')
    listed = data.get("files")
    if not isinstance(listed, dict):
        raise _unusable(where, 'has no "files" object of names and SHA-256 hashes')
    problems = [p for name, digest in listed.items() if (p := _entry_problem(name, digest))]
    if problems:
        raise _unusable(
            where, f"{len(problems)} entries are not a file name and a hash: {problems[0]}"
        )
    return listed


def _unusable(where: str, problem: str) -> InvalidInputError:
    return InvalidInputError(f"{where}: the manifest cannot be used:", [Problem(MANIFEST, problem)])


def _not_an_export(where: str, problem: str) -> InvalidInputError:
    return InvalidInputError("the archive is not an export:", [Problem(where, problem)])


def _member_sha256(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entry_problem(name: str, digest: object) -> str | None:
    parts = name.split("/")
    if name == MANIFEST or not name or any(p in {"", ".", ".."} for p in parts) or "\0" in name:
        return f"{name[:80]!r} is not a file name inside the folder"
    if not isinstance(digest, str) or len(digest) != 64 or digest.strip("0123456789abcdef"):
        return f"{name[:80]!r} has no SHA-256 hash"
    return None


def _destination_problem(destination: Path) -> str | None:
    text = str(destination)
    if not text or "\0" in text:
        return "is not a folder name"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return f"{text.encode('utf-8', 'replace').decode()} is not a UTF-8 name"
    return None


def _check_text(label: str, value: str, length: int, *, required: bool) -> None:
    """Refuse what the exports table cannot hold, before anything is written."""
    problem = None
    if required and not value.strip():
        problem = "is required"
    elif len(value) > length:
        problem = f"is {len(value)} characters; at most {length} are kept"
    elif any(ord(c) < 32 or ord(c) == 127 for c in value):
        problem = "holds control characters"
    else:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            problem = "is not UTF-8 text"
    if problem:
        raise InvalidInputError("not exported:", [Problem(label, problem)])


def _read_row(read: Read) -> dict[str, Any]:
    return {
        "id": read.id,
        "plate": read.plate,
        "jurisdiction": read.jurisdiction,
        "confidence": read.confidence,
        "captured_at": read.captured_at.isoformat(),
        "camera": read.camera,
        "latitude": read.latitude,
        "longitude": read.longitude,
        "source": read.source.value,
        "source_name": read.source_name,
        "client_read_id": read.client_read_id,
        "plate_box": list(read.plate_box) if read.plate_box else None,
        "alternatives": [[a.plate, a.confidence] for a in read.alternatives],
        "frame_image": None,
        "crop_image": None,
    }


def _custody(hold: Hold, *, actor: Actor, evidence_number: str, at: datetime) -> dict[str, Any]:
    return {
        "evidence_number": evidence_number,
        "hold": {
            "id": hold.id,
            "kind": hold.kind.value,
            "case_number": hold.case_number,
            "purpose": hold.purpose,
            "reason": hold.reason,
            "created_by": hold.created_by,
            "created_at": hold.created_at.isoformat(),
        },
        "custody": [{"event": "exported", "by": actor.name, "at": at.isoformat()}],
        "system": f"platewarden {__version__}",
    }


def _manifest(hashes: dict[str, str]) -> bytes:
    return json.dumps({"algorithm": "sha256", "files": hashes}, indent=2, sort_keys=True).encode()


def _json(data: object) -> bytes:
    return json.dumps(data, indent=2, sort_keys=True).encode()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
