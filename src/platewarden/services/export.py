"""Evidence export: a held case's reads and images on portable media, with hashes and custody.

The folder holds images/, reads.csv, reads.json, custody.json (who exported what, when, under
which hold and evidence number) and manifest.json (the SHA-256 of every other file). The
manifest's own hash is recorded in the store and printed, to be written on the evidence label.
"""

import csv
import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from platewarden import __version__
from platewarden.domain import Actor, Hold, Read
from platewarden.image_format import suffix_for
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, NotFoundError, Problem
from platewarden.services.runtime import Runtime
from platewarden.store import holds as hold_store
from platewarden.store.blobs import BlobError
from platewarden.store.exports import add_export
from platewarden.store.reads import find_reads

MANIFEST = "manifest.json"
CUSTODY = "custody.json"
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
class ExportCheck:
    """The result of checking an export folder against its manifest."""

    manifest_sha256: str
    files_checked: int
    changed: list[str]
    missing: list[str]
    unexpected: list[str]

    @property
    def ok(self) -> bool:
        """True when every file is present and unchanged, and nothing was added."""
        return not (self.changed or self.missing or self.unexpected)


def export_hold(
    rt: Runtime, actor: Actor, *, hold_id: int, evidence_number: str, destination: Path
) -> ExportResult:
    """Write a hold's reads and images to a new folder with a manifest and custody record."""
    with rt.engine.connect() as conn:
        hold = hold_store.get_hold(conn, hold_id=hold_id)
    if hold is None:
        raise NotFoundError(f"there is no hold {hold_id}")
    parameters = {"hold": hold_id, "evidence_number": evidence_number}
    authorize(
        rt,
        actor,
        Action.EXPORT_EVIDENCE,
        purpose=hold.purpose,
        case_number=hold.case_number,
        needs_purpose=True,
        parameters=parameters,
    )
    if not evidence_number.strip():
        raise InvalidInputError("not exported:", [Problem("evidence number", "is required")])
    check_destination(destination)
    with rt.engine.connect() as conn:
        reads = find_reads(conn, hold_id=hold_id)
    exported_at = rt.clock.now()
    custody = _custody(hold, actor=actor, evidence_number=evidence_number, at=exported_at)
    images, manifest_sha = write_package(rt, destination, reads, custody)
    with rt.engine.begin() as conn:
        add_export(
            conn,
            hold_id=hold_id,
            evidence_number=evidence_number,
            exported_by=actor.name,
            exported_at=exported_at,
            destination=str(destination.resolve()),
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
    return ExportResult(destination, len(reads), images, manifest_sha)


def check_destination(destination: Path) -> None:
    """Refuse a destination folder that holds files already."""
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise InvalidInputError(
            "not exported:", [Problem("destination", f"{destination} is not an empty folder")]
        )


def write_package(
    rt: Runtime, destination: Path, reads: list[Read], custody: dict[str, Any]
) -> tuple[int, str]:
    """Write reads, images, a custody record and the manifest; return (images, manifest hash).

    The package is built beside the destination and renamed at the end: a failed export
    leaves nothing half-done.
    """
    staging = destination.with_name(f".{destination.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        images = _write_reads(rt, staging, reads)
        _write_json(staging / CUSTODY, {**custody, "reads": len(reads), "images": images})
        manifest_sha = _write_manifest(staging)
        if destination.exists():
            destination.rmdir()
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return images, manifest_sha


def verify_export(folder: Path) -> ExportCheck:
    """Check every file of an export against its manifest and name what changed."""
    manifest_path = folder / MANIFEST
    try:
        raw = manifest_path.read_bytes()
        listed: dict[str, str] = json.loads(raw)["files"]
    except FileNotFoundError:
        raise InvalidInputError(
            f"{folder} is not an export:", [Problem(MANIFEST, "missing")]
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(
            f"{folder}: the manifest cannot be read:", [Problem(MANIFEST, str(exc))]
        ) from None
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    present.discard(MANIFEST)
    changed = sorted(
        name
        for name, digest in listed.items()
        if name in present and _sha256(folder / name) != digest
    )
    return ExportCheck(
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        files_checked=len(listed),
        changed=changed,
        missing=sorted(set(listed) - present),
        unexpected=sorted(present - set(listed)),
    )


def _write_reads(rt: Runtime, folder: Path, reads: list[Read]) -> int:
    (folder / "images").mkdir(parents=True)
    rows: list[dict[str, Any]] = []
    images = 0
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
            (folder / name).write_bytes(data)
            row[f"{label}_image"] = name
            images += 1
        rows.append(row)
    _write_json(folder / "reads.json", rows)
    with (folder / "reads.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=READ_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()}
            )
    return images


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


def _write_manifest(folder: Path) -> str:
    files = {
        p.relative_to(folder).as_posix(): _sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    raw = json.dumps({"algorithm": "sha256", "files": files}, indent=2, sort_keys=True).encode()
    (folder / MANIFEST).write_bytes(raw)
    return hashlib.sha256(raw).hexdigest()


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
