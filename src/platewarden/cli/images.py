"""Decrypted images and documents saved for a person to look at: owner-only files.

Saved images show plates; whatever the umask, no other local account may read them. A folder
or file that cannot be written is a one-line refusal.
"""

from pathlib import Path

from platewarden.cli.context import cli_errors
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.store.files import make_private_dir, write_private


def image_folder(folder: Path) -> Path:
    """Return a folder to save images in, creating it owner-only when it is new."""
    with cli_errors():
        try:
            return make_private_dir(folder)
        except OSError as exc:
            raise _refusal(folder, exc) from None


def save_file(path: Path, data: bytes) -> Path:
    """Write a file only its owner can read (an existing one is replaced); return its path."""
    with cli_errors():
        try:
            write_private(path, data)
        except OSError as exc:
            raise _refusal(path, exc) from None
    return path


def _refusal(path: Path, exc: OSError) -> InvalidInputError:
    return InvalidInputError("not saved:", [Problem(str(path), exc.strerror or str(exc))])
