"""Backup and restore: a consistent copy of a running installation, and a new one made from it.

A backup folder holds database/ (SQLite's online backup of the file, or pg_dump's archive of a
PostgreSQL database), images/ (the encrypted image files as they lie in the image folder) and
manifest.json (the SHA-256 of every file, and of each key). The keys (master.key, service.key)
go to a folder of their own: whoever holds the images and the master key reads every image, so
the two are kept apart. The database is copied first and the images after: an image a reader
of the copy refers to was on disk before its read was committed, so it is in the copy.

Both folders are built beside their destinations and moved into place only when whole, in the
transaction that writes the audit record. A restore checks the backup against its manifest
before it writes anything, fills only a new, empty data folder, and opens the result: its
master key must open the image keys and one image of each day must read back.
"""

import hashlib
import json
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from platewarden import __version__
from platewarden.domain import Actor
from platewarden.policy.access import Action
from platewarden.services.audit import authorize, record
from platewarden.services.errors import InvalidInputError, Problem, ServiceError
from platewarden.services.export import check_destination
from platewarden.services.installation import service_key_file
from platewarden.services.runtime import Runtime, open_runtime, upgrade_schema
from platewarden.settings import Settings
from platewarden.store import migrate
from platewarden.store.dumps import (
    DumpError,
    find_tool,
    pg_dump,
    pg_restore,
    sqlite_backup,
    sqlite_file,
)
from platewarden.store.engine import make_engine
from platewarden.store.files import make_private_dir, open_private, tighten, write_private

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database/platewarden.db"
PG_FILE = "database/platewarden.pgdump"
KEY_FILES = ("master.key", "service.key")
RESTORE_ACTION = "restore"
_DIGEST = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote and the hash of its manifest."""

    destination: Path
    keys_destination: Path
    database: str  # "sqlite" or "postgresql"
    images: int
    manifest_sha256: str


@dataclass(frozen=True)
class BackupCheck:
    """A backup folder and its keys checked against the manifest."""

    manifest_sha256: str
    database: str
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file is there, unchanged, and nothing was added."""
        return not (self.changed or self.missing or self.unexpected)


@dataclass(frozen=True)
class RestoreResult:
    """The new installation a restore made, and what was checked in it."""

    data_dir: Path
    database: str
    images: int
    days_checked: int
    manifest_sha256: str


def back_up(
    rt: Runtime, actor: Actor, *, destination: Path, keys_destination: Path
) -> BackupResult:
    """Copy the database, the images and the keys of the running system into two new folders."""
    authorize(rt, actor, Action.BACKUP, parameters={"destination": str(destination)[-200:]})
    target, keys_target = _check_targets(rt.settings, destination, keys_destination)
    kind = make_url(rt.settings.database_url).get_backend_name()
    staging, keys_staging = _staging(target), _staging(keys_target)
    try:
        tool = find_tool("pg_dump") if kind == "postgresql" else ""
        make_private_dir(staging / "database")
        make_private_dir(keys_staging)
        if kind == "sqlite":
            sqlite_backup(rt.settings.database_url, staging / SQLITE_FILE)
        else:
            pg_dump(tool, rt.settings.database_url, staging / PG_FILE)
        images = _copy_images(rt.blobs.root, staging / "images")
        keys = {name: _copy(src, keys_staging / name) for name, src in _key_files(rt.settings)}
        files = {path: _sha256(staging / path) for path in _files(staging)}
        manifest = _manifest(rt, kind, files, keys)
        write_private(staging / MANIFEST, manifest, exclusive=True)
        manifest_sha = hashlib.sha256(manifest).hexdigest()
        with rt.engine.begin() as conn:
            staging.replace(target)
            keys_staging.replace(keys_target)
            record(
                conn,
                rt,
                actor,
                Action.BACKUP,
                parameters={
                    "destination": str(target)[-200:],
                    "keys_destination": str(keys_target)[-200:],
                    "database": kind,
                    "images": images,
                    "manifest_sha256": manifest_sha,
                },
                result_count=images,
            )
    except DumpError as exc:
        raise ServiceError(str(exc)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(keys_staging, ignore_errors=True)
    return BackupResult(target, keys_target, kind, images, manifest_sha)


def verify_backup(source: Path, keys_source: Path) -> BackupCheck:
    """Check every file of a backup and its keys against the manifest; name what differs."""
    try:
        raw = (source / MANIFEST).read_bytes()
        manifest = json.loads(raw)
        listed, keys, database = _listing(manifest)
    except (OSError, ValueError, AttributeError) as exc:
        raise InvalidInputError(
            "not a backup:", [Problem(str(source / MANIFEST), str(exc)[:200])]
        ) from None
    found = set(_files(source)) - {MANIFEST}
    changed = [p for p in sorted(found & set(listed)) if _sha256(source / p) != listed[p]]
    missing = sorted(set(listed) - found)
    unexpected = sorted(found - set(listed))
    for name, digest in sorted(keys.items()):
        key = keys_source / name
        if not key.is_file():
            missing.append(f"{keys_source.name}/{name}")
        elif _sha256(key) != digest:
            changed.append(f"{keys_source.name}/{name}")
    return BackupCheck(hashlib.sha256(raw).hexdigest(), database, changed, missing, unexpected)


def _listing(manifest: object) -> tuple[dict[str, str], dict[str, str], str]:
    """Return a manifest's files, keys and database kind; raise ValueError on any other shape."""
    if not isinstance(manifest, dict) or manifest.get("platewarden_backup") != FORMAT:
        raise ValueError("not a Platewarden backup of this format")
    listed, keys, database = manifest.get("files"), manifest.get("keys"), manifest.get("database")
    database_file = {"sqlite": SQLITE_FILE, "postgresql": PG_FILE}.get(str(database))
    for table in (listed, keys):
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ValueError("files and keys must map names to SHA-256 hashes")
    assert isinstance(listed, dict) and isinstance(keys, dict)
    if database_file not in listed:
        raise ValueError("the manifest lists no database")
    if "master.key" not in keys or not set(keys) <= set(KEY_FILES):
        raise ValueError(f"the manifest's keys are not {', '.join(KEY_FILES)}")
    return listed, keys, str(database)


def restore_backup(
    settings: Settings, *, source: Path, keys_source: Path, by: str
) -> RestoreResult:
    """Make a new installation in the settings' empty data folder from a checked backup."""
    check = verify_backup(source, keys_source)
    if not check.ok:
        problems = [Problem(p, "changed") for p in check.changed]
        problems += [Problem(p, "missing") for p in check.missing]
        problems += [Problem(p, "not in the manifest") for p in check.unexpected]
        raise InvalidInputError(
            "nothing restored: the backup does not match its manifest", problems
        )
    kind = make_url(settings.database_url).get_backend_name()
    if kind != check.database:
        raise InvalidInputError(
            "nothing restored:",
            [
                Problem(
                    "database_url", f"the backup is of {check.database}; the settings name {kind}"
                )
            ],
        )
    _check_empty_target(settings, kind)
    created = [p for p in (settings.data_dir, settings.blob_dir) if not p.exists()]
    try:
        tool = find_tool("pg_restore") if kind == "postgresql" else ""
        for name in KEY_FILES:
            if (keys_source / name).is_file():
                _copy(keys_source / name, make_private_dir(settings.data_dir) / name)
        images = _copy_images(source / "images", make_private_dir(settings.blob_dir))
        if kind == "sqlite":
            database = sqlite_file(settings.database_url)
            _copy(source / SQLITE_FILE, make_private_dir(database.parent) / database.name)
        else:
            pg_restore(tool, settings.database_url, source / PG_FILE)
            upgrade_schema(settings)  # a backup of an older release: bring it to this one
        days = _open_and_record(settings, by, check.manifest_sha256, str(source), images)
    except BaseException as exc:
        _remove_restored(settings, created)
        if isinstance(exc, DumpError):
            raise ServiceError(str(exc)) from None
        raise
    return RestoreResult(settings.data_dir, kind, images, days, check.manifest_sha256)


def _check_targets(settings: Settings, destination: Path, keys: Path) -> tuple[Path, Path]:
    target, keys_target = check_destination(destination), check_destination(keys)
    problems = []
    if target == keys_target or target in keys_target.parents or keys_target in target.parents:
        problems.append(Problem("keys destination", "must lie apart from the backup folder"))
    for where, path in (("destination", target), ("keys destination", keys_target)):
        for inside in (settings.data_dir, settings.blob_dir):
            if path == inside.resolve() or inside.resolve() in path.parents:
                problems.append(Problem(where, f"must lie outside {inside}"))
    if problems:
        raise InvalidInputError("nothing written:", problems)
    return target, keys_target


def _check_empty_target(settings: Settings, kind: str) -> None:
    problems = []
    for where, path in (("data folder", settings.data_dir), ("image folder", settings.blob_dir)):
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            problems.append(Problem(where, f"{path} is not empty: restore into a new folder"))
    if kind == "sqlite":
        try:
            if sqlite_file(settings.database_url).exists():
                problems.append(Problem("database_url", "the database file exists already"))
        except DumpError as exc:
            problems.append(Problem("database_url", str(exc)))
    if kind == "postgresql":
        engine = make_engine(settings.database_url)
        try:
            if migrate.current_revision(engine) is not None:
                problems.append(Problem("database_url", "the database holds an installation"))
        finally:
            engine.dispose()
    if problems:
        raise InvalidInputError("nothing restored:", problems)


def _open_and_record(
    settings: Settings, by: str, manifest_sha: str, source: str, images: int
) -> int:
    """Open the restored installation, read one image of each day back, and audit the restore."""
    rt = open_runtime(settings)
    try:
        days = set(rt.blobs.stored_days())
        checked = 0
        for day_dir in sorted(p for p in settings.blob_dir.iterdir() if p.name in days):
            first = next(iter(sorted(_image_names(day_dir))), None)
            if first is not None:
                rt.blobs.get(f"{day_dir.name}/{first}")  # raises if the key does not open it
                checked += 1
        with rt.engine.begin() as conn:
            record(
                conn,
                rt,
                Actor(by, frozenset()),
                RESTORE_ACTION,
                parameters={"source": source[-200:], "manifest_sha256": manifest_sha},
                result_count=images,
            )
        return checked
    finally:
        rt.close()


def _remove_restored(settings: Settings, created: list[Path]) -> None:
    """Take back what a failed restore wrote into the (empty) target folders and database file."""
    if settings.database_url.startswith("sqlite"):
        database = sqlite_file(settings.database_url)
        for end in ("", "-wal", "-shm"):
            database.with_name(database.name + end).unlink(missing_ok=True)
    for folder in (settings.data_dir, settings.blob_dir):
        if folder in created:
            shutil.rmtree(folder, ignore_errors=True)
        elif folder.is_dir():
            for path in folder.iterdir():
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _staging(target: Path) -> Path:
    return target.parent / f".{target.name}.partial-{secrets.token_hex(4)}"


def _copy_images(source: Path, target: Path) -> int:
    """Copy each image file (DAY/SHA256) of a folder; files purged meanwhile are skipped."""
    copied = 0
    if not source.is_dir():
        return copied
    for day_dir in sorted(source.iterdir()):
        if not day_dir.is_dir() or not _is_day(day_dir.name):
            continue
        for name in sorted(_image_names(day_dir)):
            try:
                _copy(day_dir / name, make_private_dir(target / day_dir.name) / name)
            except FileNotFoundError:
                continue
            copied += 1
    return copied


def _image_names(day_dir: Path) -> Iterator[str]:
    return (p.name for p in day_dir.iterdir() if _DIGEST.fullmatch(p.name) and p.is_file())


def _is_day(name: str) -> bool:
    try:
        date.fromisoformat(name)
    except ValueError:
        return False
    return True


def _key_files(settings: Settings) -> Iterator[tuple[str, Path]]:
    yield "master.key", settings.master_key_file
    if service_key_file(settings).is_file():
        yield "service.key", service_key_file(settings)


def _copy(source: Path, target: Path) -> str:
    """Copy a file owner-only; return the SHA-256 of what was copied."""
    digest = hashlib.sha256()
    with source.open("rb") as src, open_private(target, "wb", exclusive=True) as out:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    tighten(target)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files(root: Path) -> list[str]:
    """Return every file under a folder as a path relative to it, with / between parts."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _manifest(rt: Runtime, kind: str, files: dict[str, str], keys: dict[str, str]) -> bytes:
    body = {
        "platewarden_backup": FORMAT,
        "platewarden_version": __version__,
        "created_at": rt.clock.now().isoformat(),
        "installation_id": rt.installation_id,
        "database": kind,
        "schema_revision": migrate.current_revision(rt.engine),
        "files": files,
        "keys": keys,
    }
    return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()
