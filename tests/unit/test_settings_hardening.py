"""Settings files that try to break the loader: each is a SettingsError in one line."""

from pathlib import Path

import pytest

from platewarden import settings as settings_module
from platewarden.settings import SettingsError, get_settings


def load(tmp_path: Path, data: bytes) -> None:
    """Load settings from a file holding data, with no environment."""
    path = tmp_path / "platewarden.toml"
    path.write_bytes(data)
    get_settings(path, environ={})


def test_a_settings_file_that_is_not_utf8_is_a_settings_error(tmp_path: Path) -> None:
    """Latin-1 bytes raised UnicodeDecodeError with a traceback."""
    with pytest.raises(SettingsError, match=r"not UTF-8 text \(byte 13 is 0xe9\)"):
        load(tmp_path, b"data_dir = '\xe9'\n")


def test_a_settings_file_nested_too_deep_is_a_settings_error(tmp_path: Path) -> None:
    """An array nested 100,000 deep raised RecursionError out of tomllib."""
    with pytest.raises(SettingsError, match="nested too deep"):
        load(tmp_path, b"a = " + b"[" * 100_000)


def test_a_nul_in_a_setting_is_a_settings_error(tmp_path: Path) -> None:
    """A NUL in a path failed far from the file that held it."""
    with pytest.raises(SettingsError, match="data_dir holds a control character"):
        load(tmp_path, b'data_dir = "/tmp/a\\u0000b"\n')
    with pytest.raises(SettingsError, match="hotlist_sources holds a control character"):
        load(tmp_path, b'[hotlist_sources]\nncic = "/x\\u0000"\n')


def test_a_device_as_settings_file_is_read_no_further_than_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/dev/zero as the settings file would be read until memory ran out."""
    monkeypatch.setattr(settings_module, "MAX_SETTINGS_BYTES", 1024)
    with pytest.raises(SettingsError, match="is over 1 KiB"):
        get_settings(Path("/dev/zero"), environ={})


def test_a_bad_hotlist_sources_item_is_named_by_number_not_quoted() -> None:
    """A value from the environment may be anything, of any length: its place is named."""
    with pytest.raises(SettingsError, match="item 2 is not NAME=PATH_OR_HTTPS_URL") as refused:
        get_settings(environ={"PLATEWARDEN_HOTLIST_SOURCES": "a=/x," + "B" * 100_000})
    assert len(str(refused.value)) < 100
