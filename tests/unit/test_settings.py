"""Settings come from a file and PLATEWARDEN_* variables; bad files are refused clearly."""

from pathlib import Path

import pytest

from platewarden.settings import SettingsError, get_settings


def test_default_is_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = get_settings(environ={"PLATEWARDEN_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/platewarden.db"
    assert settings.policy_file is None


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    config = tmp_path / "pw.toml"
    config.write_text(
        'data_dir = "/srv/a"\ndatabase_url = "postgresql://db/pw"\npolicy_file = "/etc/p.toml"\n'
    )
    settings = get_settings(
        environ={"PLATEWARDEN_CONFIG": str(config), "PLATEWARDEN_DATA_DIR": str(tmp_path)}
    )
    assert settings.data_dir == tmp_path
    assert settings.database_url == "postgresql://db/pw"
    assert settings.policy_file == Path("/etc/p.toml")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("data_dir = ", "is not valid TOML"),
        ("colour = 'red'", "unknown keys: colour"),
        ("data_dir = 3", "must be strings"),
    ],
)
def test_bad_settings_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "pw.toml"
    config.write_text(content)
    with pytest.raises(SettingsError, match=message):
        get_settings(config, environ={})
