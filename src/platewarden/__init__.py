"""Platewarden: an automated license plate reader that enforces a department's ALPR policy."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("platewarden")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
