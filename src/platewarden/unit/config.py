"""A unit's own data folder, its settings file and its runtime (a separate SQLite database)."""

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from platewarden.domain import Actor
from platewarden.policy.access import Role
from platewarden.services.runtime import Clock, Runtime, open_runtime
from platewarden.settings import Settings, sqlite_url
from platewarden.store.files import make_private_dir, write_private

UNIT_DIR_ENV = "PLATEWARDEN_UNIT_DIR"
CONFIG_NAME = "unit.toml"


class UnitError(Exception):
    """The unit cannot do what was asked: not set up, or its station refused."""


@dataclass(frozen=True)
class UnitConfig:
    """What `platewarden device add NAME --camera C --unit` gave, and where the station is."""

    name: str  # the device's name at the station
    camera: str  # the car's camera, registered at the station
    server_url: str
    token: str
    key: str  # hex: the key the station signs this unit's hot lists with


def unit_dir(given: Path | None = None) -> Path:
    """Return the unit's data folder: given, PLATEWARDEN_UNIT_DIR, or beside the station's."""
    if given is not None:
        return given.expanduser()
    if os.environ.get(UNIT_DIR_ENV):
        return Path(os.environ[UNIT_DIR_ENV]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "platewarden-unit"


def save_config(folder: Path, config: UnitConfig) -> None:
    """Write the unit's settings file, readable by its owner only."""
    if not config.server_url.startswith(("http://", "https://")):
        raise UnitError(f"the server URL {config.server_url!r} is not http:// or https://")
    try:
        bytes.fromhex(config.key)
    except ValueError:
        raise UnitError("the hot-list key is not the hex text the station printed") from None
    make_private_dir(folder)
    lines = [f"{name} = {json.dumps(value)}" for name, value in vars(config).items()]
    path = folder / CONFIG_NAME
    path.unlink(missing_ok=True)
    write_private(path, ("\n".join(lines) + "\n").encode(), exclusive=True)


def load_config(folder: Path) -> UnitConfig:
    """Read the unit's settings file; refuse a folder never set up."""
    try:
        data = tomllib.loads((folder / CONFIG_NAME).read_text())
        return UnitConfig(**{name: str(data[name]) for name in UnitConfig.__dataclass_fields__})
    except FileNotFoundError:
        raise UnitError(f"{folder} is not set up as a unit: run `platewarden unit init`") from None
    except (KeyError, tomllib.TOMLDecodeError, TypeError) as exc:
        raise UnitError(f"{folder / CONFIG_NAME} is damaged: {exc}") from None


def open_unit(folder: Path, *, clock: Clock | None = None) -> Runtime:
    """Open the unit's own database and encrypted images (made on first use)."""
    make_private_dir(folder)
    settings = Settings(data_dir=folder, database_url=sqlite_url(folder))
    return open_runtime(settings, clock=clock)


def unit_actor(config: UnitConfig) -> Actor:
    """Return who the unit's own processes act as in its database and audit trail."""
    return Actor(f"unit:{config.name}", frozenset({Role.UNIT}))
