"""Images on disk, content-addressed within their UTC capture day, encrypted with that day's key.

Each day has its own AES-256 data key, kept in the day_keys table wrapped (AES-GCM) by the master
key. Purging a day deletes its key, so its images cannot be read back even from a backup of the
blob folder (crypto-shredding).
"""

import contextlib
import hashlib
import os
import secrets
import shutil
import time
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from platewarden.store.files import make_private_dir, tighten, write_private
from platewarden.store.schema import day_keys, members, share_requests

NONCE_BYTES = 12
KEY_BYTES = 32
# What AESGCM raises for a ciphertext that was changed (InvalidTag) or cut short (ValueError).
_UNREADABLE = (InvalidTag, ValueError)


class BlobError(Exception):
    """An image blob cannot be served."""


class BlobMissingError(BlobError):
    """The blob, or its day's key, is gone (purged or never stored)."""


class BlobTamperedError(BlobError):
    """The blob does not decrypt or does not match its hash: it was changed or corrupted."""


class MasterKeyError(BlobError):
    """The master key file is missing or is not the key that sealed the database's data."""


def load_master_key(path: Path, engine: Engine | None = None) -> bytes:
    """Read the master key file from its owner-only data folder, creating it when there is none.

    Given the database's engine, a missing key file is created only when the database holds
    nothing sealed with a master key (a new key would make all of it unreadable), and a key
    that does not open the database's newest day key is refused.
    """
    try:
        return _load_master_key(path, engine)
    except BlobError:
        if engine is not None:
            # The caller drops the engine on this refusal: close what the checks opened.
            engine.dispose()
        raise


def _load_master_key(path: Path, engine: Engine | None) -> bytes:
    _private_folder(path.parent)
    if engine is not None and not path.exists():
        sealed = _sealed_data(engine)
        if sealed:
            raise MasterKeyError(
                f"master key file {path} is missing, but the database holds {sealed} "
                f"sealed with it: restore master.key from its backup into {path.parent} "
                "(no new key is made: it would leave them unreadable)"
            )
    try:
        with contextlib.suppress(FileExistsError):  # there already, or another process made it
            write_private(path, AESGCM.generate_key(bit_length=256), exclusive=True)
        tighten(path)
        key = path.read_bytes()
    except OSError as exc:
        raise MasterKeyError(
            f"cannot read or create the master key file {path}: {exc.strerror or exc}"
        ) from None
    if len(key) != KEY_BYTES:
        raise MasterKeyError(
            f"master key file {path} is damaged: expected {KEY_BYTES} bytes, found {len(key)}; "
            "restore master.key from its backup"
        )
    if engine is not None:
        _check_opens_day_keys(path, key, engine)
    return key


def _check_opens_day_keys(path: Path, key: bytes, engine: Engine) -> None:
    with engine.connect() as conn:
        newest = conn.execute(
            select(day_keys.c.day, day_keys.c.wrapped_key).order_by(day_keys.c.day.desc())
        ).first()
    if newest is None:
        return
    wrapped = newest.wrapped_key
    try:
        AESGCM(key).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], newest.day.encode())
    except _UNREADABLE:
        raise MasterKeyError(
            f"master key file {path} does not open the image keys in the database "
            f"(day {newest.day}): it is not the key this database was set up with; "
            "restore master.key from its backup"
        ) from None


def _private_folder(path: Path) -> None:
    try:
        make_private_dir(path)
        tighten(path)
    except OSError as exc:
        raise BlobError(f"cannot create the data folder {path}: {exc.strerror or exc}") from None


def _sealed_data(engine: Engine) -> str:
    """Name what the database holds that only the master key opens ("" for nothing)."""
    with engine.connect() as conn:
        counts = {
            "image day keys": conn.scalar(select(func.count()).select_from(day_keys)),
            "second-factor secrets": conn.scalar(
                select(func.count()).where(members.c.totp_secret.is_not(None))
            ),
            "sharing request documents": conn.scalar(
                select(func.count()).where(share_requests.c.document.is_not(None))
            ),
        }
    return ", ".join(f"{n} {what}" for what, n in counts.items() if n)


def blob_day(blob_id: str) -> str:
    """Return the UTC day (YYYY-MM-DD) a blob belongs to."""
    return blob_id.split("/", 1)[0]


class BlobStore:
    """Encrypted, content-addressed image files under one folder."""

    def __init__(self, root: Path, engine: Engine, master_key: bytes) -> None:
        self.root = root
        self._engine = engine
        self._master = AESGCM(master_key)
        self._keys: dict[str, bytes] = {}

    def put(self, day: date, data: bytes) -> str:
        """Store an image for a capture day and return its id; storing it twice is harmless."""
        digest = hashlib.sha256(data).hexdigest()
        blob_id = f"{day.isoformat()}/{digest}"
        path = self._path(blob_id)
        if path.exists():
            return blob_id
        nonce = secrets.token_bytes(NONCE_BYTES)
        try:
            key = self._day_key(day.isoformat(), create=True)
        except _UNREADABLE:
            raise MasterKeyError(
                f"image {blob_id} not stored: the key of day {day} does not open with the "
                "master key; restore master.key from its backup"
            ) from None
        sealed = AESGCM(key).encrypt(nonce, data, blob_id.encode())
        make_private_dir(path.parent)
        # Write beside, then rename: a process killed mid-write leaves no half blob behind.
        tmp = path.with_suffix(f".{os.getpid()}.{secrets.token_hex(4)}.tmp")
        write_private(tmp, nonce + sealed, exclusive=True)
        tmp.replace(path)
        return blob_id

    def get(self, blob_id: str) -> bytes:
        """Return a blob's image bytes; raise when it is missing, shredded or tampered with."""
        path = self._path(blob_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise BlobMissingError(f"image {blob_id} is not in the store") from None
        except OSError as exc:
            raise BlobError(f"image {blob_id} cannot be read: {exc.strerror or exc}") from None
        try:
            key = self._day_key(blob_day(blob_id), create=False)
        except KeyError:
            raise BlobMissingError(f"image {blob_id}: its day's key was destroyed") from None
        except _UNREADABLE:
            raise MasterKeyError(
                f"image {blob_id} cannot be decrypted: its day's key does not open with the "
                "master key; restore master.key from its backup"
            ) from None
        try:
            data = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], blob_id.encode())
        except _UNREADABLE:
            raise BlobTamperedError(f"image {blob_id} failed its integrity check") from None
        if hashlib.sha256(data).hexdigest() != blob_id.rsplit("/", 1)[1]:
            raise BlobTamperedError(f"image {blob_id} does not match its hash")
        return data

    def exists(self, blob_id: str) -> bool:
        """True when the blob file is on disk."""
        return self._path(blob_id).exists()

    def delete(self, blob_id: str) -> bool:
        """Delete one blob file; return whether it was there."""
        try:
            self._path(blob_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def delete_day(self, day: str, *, keep: frozenset[str] = frozenset()) -> int:
        """Delete a day's blob files but those kept; return how many went."""
        date.fromisoformat(day)  # refuses a name that would leave the folder
        deleted = 0
        for path in sorted((self.root / day).glob("*")):
            if f"{day}/{path.name}" not in keep and not path.name.endswith(".tmp"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    deleted += 1
        return deleted

    def stored_days(self) -> list[str]:
        """Return the days that have a key (and so may have readable blobs)."""
        with self._engine.connect() as conn:
            return list(conn.scalars(select(day_keys.c.day).order_by(day_keys.c.day)))

    def sweep_partial(self, *, older_than_s: float = 3600.0) -> int:
        """Delete half-written files a killed writer left behind; return how many."""
        cutoff = time.time() - older_than_s
        swept = 0
        for path in self.root.glob("*/*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    swept += 1
        return swept

    def shred_day(self, day: str) -> None:
        """Destroy a day's key and its folder: none of its images can be read again."""
        with self._engine.begin() as conn:
            conn.execute(delete(day_keys).where(day_keys.c.day == day))
        self._keys.pop(day, None)
        shutil.rmtree(self.root / day, ignore_errors=True)

    def seal(self, data: bytes, label: str) -> bytes:
        """Encrypt a small secret (a TOTP key) with the master key, bound to a label."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._master.encrypt(nonce, data, label.encode())

    def unseal(self, sealed: bytes, label: str) -> bytes:
        """Decrypt what seal() made for the same label."""
        try:
            return self._master.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], label.encode())
        except _UNREADABLE:
            raise BlobTamperedError(
                f"sealed secret for {label} failed its integrity check"
            ) from None

    def _path(self, blob_id: str) -> Path:
        day, _, digest = blob_id.partition("/")
        try:
            date.fromisoformat(day)  # refuses ids that would escape the folder
        except ValueError:
            raise BlobError(f"not a blob id: {blob_id!r}") from None
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise BlobError(f"not a blob id: {blob_id!r}")
        return self.root / day / digest

    def _day_key(self, day: str, *, create: bool) -> bytes:
        if day in self._keys:
            return self._keys[day]
        if create:
            self._insert_key(day)
        with self._engine.connect() as conn:
            wrapped = conn.scalar(select(day_keys.c.wrapped_key).where(day_keys.c.day == day))
        if wrapped is None:
            raise KeyError(day)
        key = self._unwrap(day, wrapped)
        self._keys[day] = key
        return key

    def _unwrap(self, day: str, wrapped: bytes) -> bytes:
        return self._master.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], day.encode())

    def _insert_key(self, day: str) -> None:
        # Committed on its own before any blob is sealed with it, so that no blob on disk can
        # outlive a rolled-back key.
        nonce = secrets.token_bytes(NONCE_BYTES)
        key = AESGCM.generate_key(bit_length=256)
        row = {
            "day": day,
            "wrapped_key": nonce + self._master.encrypt(nonce, key, day.encode()),
            "created_at": datetime.now(UTC),
        }
        insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        with self._engine.begin() as conn:
            conn.execute(insert(day_keys).values(row).on_conflict_do_nothing())
