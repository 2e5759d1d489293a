"""Settings from a TOML file and PLATEWARDEN_* environment variables; nothing built at import."""

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platewarden.plate_formats import check_region

CONFIG_ENV = "PLATEWARDEN_CONFIG"
MAX_SETTINGS_BYTES = 1024 * 1024  # a settings file is a few lines; a device is read no further


CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ORIGIN = re.compile(r"https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")


class SettingsError(Exception):
    """The settings file or an environment variable is invalid."""


@dataclass(frozen=True)
class Settings:
    """Where Platewarden keeps its state and which policy it enforces."""

    data_dir: Path
    database_url: str
    policy_file: Path | None = None
    # Hot-list feeds refreshed on schedule: name -> a file path or an https:// URL.
    hotlist_sources: tuple[tuple[str, str], ...] = ()
    # Alert receivers: (name, URL, HMAC secret); only from the settings file, never the environment.
    webhooks: tuple[tuple[str, str, str], ...] = ()
    # The national plate formats the reader prefers (platewarden.plate_formats), "any" for none.
    plate_region: str = "any"
    # The server (`platewarden serve`): where it listens, its TLS files, and whether a reverse
    # proxy in front of it terminates TLS.
    listen: str = "127.0.0.1:8426"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    behind_proxy: bool = False
    # Browser origins allowed to call the API from their pages (CORS); none: closed.
    cors_origins: tuple[str, ...] = ()
    # Rate limits: log-on attempts per minute from one address and for one user name, and
    # requests per minute from one device token on /frames and /reads.
    logon_attempts_per_minute: int = 10
    device_requests_per_minute: int = 1200
    # The encrypted images, when not under data_dir: storage that the server and recognition
    # workers on other machines all reach (a network share).
    image_dir: Path | None = None
    # A PostgreSQL read replica that searches read from, sparing the primary (docs/scale.md);
    # "" searches the primary. The audit record of each search is written to the primary.
    search_replica_url: str = ""
    # The department's time zone (an IANA name such as America/Denver) for every time shown to a
    # person and every time typed without a zone; "" is this computer's. Storage stays UTC.
    timezone: str = ""

    @property
    def zone(self) -> ZoneInfo | None:
        """The department's time zone; None for this computer's local zone."""
        return ZoneInfo(self.timezone) if self.timezone else None

    @property
    def blob_dir(self) -> Path:
        """Folder of the encrypted image blobs."""
        return self.image_dir or self.data_dir / "blobs"

    @property
    def master_key_file(self) -> Path:
        """File of the key that wraps the per-day image keys."""
        return self.data_dir / "master.key"


def default_data_dir() -> Path:
    """Return the data folder used when none is configured."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "platewarden"


def sqlite_url(data_dir: Path) -> str:
    """Return the URL of the embedded SQLite database under a data folder."""
    return f"sqlite:///{data_dir / 'platewarden.db'}"


def get_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build settings: file values first (PLATEWARDEN_CONFIG), then environment variables."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    if path is not None:
        values.update(_read_file(path))
    for field in fields(Settings):
        env_value = env.get(f"PLATEWARDEN_{field.name.upper()}")
        if env_value:
            values[field.name] = env_value
    sources = values.get("hotlist_sources") or {}
    if isinstance(sources, str):  # NAME=LOCATION,NAME=LOCATION from the environment
        sources = _parse_sources(sources)
    data_dir = Path(values.get("data_dir") or default_data_dir()).expanduser()
    settings = Settings(data_dir=data_dir, database_url=values.get("database_url") or "")
    if not settings.database_url:
        settings = replace(settings, database_url=sqlite_url(data_dir))
    if values.get("policy_file"):
        settings = replace(settings, policy_file=Path(values["policy_file"]).expanduser())
    try:
        region = check_region(values.get("plate_region") or "any")
    except ValueError as exc:
        raise SettingsError(f"plate_region: {exc}") from None
    hooks = values.get("webhooks") or {}
    return replace(
        settings,
        hotlist_sources=tuple(sorted(sources.items())),
        webhooks=tuple((name, h["url"], h["secret"]) for name, h in sorted(hooks.items())),
        plate_region=region,
        listen=_listen(values.get("listen") or Settings.listen),
        tls_cert=_path(values.get("tls_cert")),
        tls_key=_path(values.get("tls_key")),
        image_dir=_path(values.get("image_dir")),
        search_replica_url=_replica(values.get("search_replica_url") or "", settings.database_url),
        timezone=_timezone(values.get("timezone") or ""),
        behind_proxy=_flag("behind_proxy", values.get("behind_proxy") or "no"),
        cors_origins=_origins(values.get("cors_origins") or ()),
        logon_attempts_per_minute=_per_minute(
            "logon_attempts_per_minute", values.get("logon_attempts_per_minute")
        )
        or Settings.logon_attempts_per_minute,
        device_requests_per_minute=_per_minute(
            "device_requests_per_minute", values.get("device_requests_per_minute")
        )
        or Settings.device_requests_per_minute,
    )


def _replica(url: str, primary: str) -> str:
    """Check a search replica's URL: PostgreSQL beside a PostgreSQL primary, or none."""
    if not url:
        return ""
    if not (url.startswith("postgresql") and primary.startswith("postgresql")):
        raise SettingsError(
            "search_replica_url: a read replica needs PostgreSQL for both the database and the"
            " replica (postgresql://USER@HOST/DB)"
        )
    return url


def listen_address(settings: Settings) -> tuple[str, int]:
    """Return the server's host and port."""
    host, _, port = settings.listen.rpartition(":")
    return host.strip("[]"), int(port)


def _listen(text: str) -> str:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(f"listen {text[:80]!r} is not HOST:PORT (for example 127.0.0.1:8426)")
    return text


def _timezone(name: str) -> str:
    """Return a known IANA time zone name, or "" for this computer's zone."""
    if not name.strip():
        return ""
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SettingsError(
            f"timezone {name[:80]!r} is not a known IANA time zone name such as America/Denver"
        ) from None
    return name.strip()


def _origins(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the CORS origins: a list in the file, ORIGIN,ORIGIN in the environment."""
    items = value.split(",") if isinstance(value, str) else value
    origins = tuple(item.strip().rstrip("/") for item in items if item.strip())
    for origin in origins:
        if not ORIGIN.fullmatch(origin):
            raise SettingsError(
                f"cors_origins {origin[:80]!r} is not an origin such as https://console.example.org"
            )
    return origins


def _per_minute(name: str, value: str | int | None) -> int | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise SettingsError(f"{name} {text[:80]!r} is not a whole number from 1 to 1000000")
    return int(text)


def _path(text: str | None) -> Path | None:
    return Path(text).expanduser() if text else None


def _flag(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value not in {"yes", "no", "true", "false", "1", "0"}:
        raise SettingsError(f"{name} {text[:80]!r} is not yes or no")
    return value in {"yes", "true", "1"}


def _parse_sources(text: str) -> dict[str, str]:
    sources: dict[str, str] = {}
    for n, item in enumerate(filter(None, (part.strip() for part in text.split(","))), start=1):
        name, sep, location = item.partition("=")
        if not sep or not name.strip() or not location.strip():
            raise SettingsError(  # the item is not quoted: it may be anything, of any length
                f"PLATEWARDEN_HOTLIST_SOURCES item {n} is not NAME=PATH_OR_HTTPS_URL"
            )
        sources[name.strip()] = location.strip()
    return sources


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_SETTINGS_BYTES + 1)
    except OSError as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc.strerror or exc}") from exc
    if len(raw) > MAX_SETTINGS_BYTES:
        raise SettingsError(f"settings file {path} is over {MAX_SETTINGS_BYTES // 1024} KiB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        byte = f"byte {exc.start + 1} is {raw[exc.start]:#04x}"
        raise SettingsError(f"settings file {path} is not UTF-8 text ({byte})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path} is not valid TOML: {exc}") from exc
    except RecursionError:
        raise SettingsError(f"settings file {path} is nested too deep") from None
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(
            f"settings file {path} has unknown keys: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})"
        )
    sources = data.get("hotlist_sources", {})
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise SettingsError(
            f'settings file {path}: hotlist_sources must be a table of NAME = "PATH or URL"'
        )
    hooks = data.get("webhooks", {})
    if not isinstance(hooks, dict) or not all(
        isinstance(h, dict)
        and set(h) == {"url", "secret"}
        and all(isinstance(v, str) for v in h.values())
        for h in hooks.values()
    ):
        raise SettingsError(
            f"settings file {path}: each [webhooks.NAME] needs url and secret (strings) and no more"
        )
    _server_values(data, str(path))
    if isinstance(data.get("behind_proxy"), bool):  # `behind_proxy = true` reads as TOML means
        data["behind_proxy"] = "yes" if data["behind_proxy"] else "no"
    not_text = sorted(
        k
        for k, v in data.items()
        if k not in {"hotlist_sources", "webhooks", "cors_origins"} and not isinstance(v, str)
    )
    if not_text:
        raise SettingsError(f"settings file {path}: {', '.join(not_text)} must be strings")
    _check_text(data, str(path))
    return data


def _server_values(data: dict[str, Any], where: str) -> None:
    """Check the CORS list; take whole numbers for the rate limits as the environment's text."""
    origins = data.get("cors_origins", [])
    if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
        raise SettingsError(f'settings file {where}: cors_origins must be a list of "ORIGIN"')
    for key in ("logon_attempts_per_minute", "device_requests_per_minute"):
        if isinstance(data.get(key), int) and not isinstance(data[key], bool):
            data[key] = str(data[key])


def _check_text(data: dict[str, Any], where: str) -> None:
    """Refuse control characters (a NUL in a path fails far from the file that held it)."""
    for key, value in data.items():
        texts = [value] if isinstance(value, str) else []
        if isinstance(value, dict):
            texts = [
                v
                for item in value.values()
                for v in (item.values() if isinstance(item, dict) else [item])
            ]
        if any(isinstance(t, str) and CONTROL.search(t) for t in texts):
            raise SettingsError(f"settings file {where}: {key} holds a control character")
