"""Files and folders that only their owner can read, whatever the process umask.

The database, the keys, the image blobs and every decrypted image or export hold plates and
password hashes: another local account must not be able to copy them, and a umask of 0 (a
service manager's default) would otherwise make them readable by all.
"""

import errno
import os
import stat
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_NOT_OWNER = 0o077


def make_private_dir(path: Path) -> Path:
    """Create a folder and its missing parents, each owner-only; an existing folder is kept."""
    missing: list[Path] = []
    level = path
    while not level.exists() and level != level.parent:
        missing.append(level)
        level = level.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # another process made it at the same moment
        # mkdir's mode passes through the umask; set it exactly.
        folder.chmod(PRIVATE_DIR)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    return path


def tighten(path: Path) -> None:
    """Take group and other access off a file or folder of ours that has any."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_uid == os.getuid() and status.st_mode & _NOT_OWNER:
        path.chmod(stat.S_IMODE(status.st_mode) & ~_NOT_OWNER)


def create_private_file(path: Path) -> bool:
    """Create an empty owner-only file unless one is there; return whether it was created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return True


def open_private(
    path: Path, mode: str = "wb", *, exclusive: bool = False, **kwargs: Any
) -> IO[Any]:
    """Open a file for writing, owner-only; an existing file is emptied and made owner-only.

    A symbolic link in the file's place is refused, so that a file prepared by someone else
    in a shared folder cannot send the data elsewhere.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write bytes to an owner-only file (see open_private)."""
    with open_private(path, "wb", exclusive=exclusive) as f:
        f.write(data)


def write_private_text(path: Path, text: str) -> None:
    """Write UTF-8 text to an owner-only file (see open_private)."""
    with open_private(path, "w", encoding="utf-8") as f:
        f.write(text)
