"""Settings come from a file and PLATEWARDEN_* variables; bad files are refused clearly."""

from pathlib import Path

import pytest

from platewarden.settings import SettingsError, get_settings


def test_default_is_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = get_settings(environ={"PLATEWARDEN_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/platewarden.db"
    assert settings.policy_file is None


def test_images_live_under_the_data_dir_unless_image_dir_names_shared_storage(
    tmp_path: Path,
) -> None:
    assert get_settings(environ={"PLATEWARDEN_DATA_DIR": str(tmp_path)}).blob_dir == (
        tmp_path / "blobs"
    )
    config = tmp_path / "pw.toml"
    config.write_text('image_dir = "/mnt/shared/images"\n')
    settings = get_settings(
        environ={"PLATEWARDEN_CONFIG": str(config), "PLATEWARDEN_DATA_DIR": str(tmp_path)}
    )
    assert settings.blob_dir == Path("/mnt/shared/images")
    assert settings.master_key_file == tmp_path / "master.key", "the keys stay in the data_dir"


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


def test_hotlist_sources_and_webhooks_come_from_the_file(tmp_path: Path) -> None:
    config = tmp_path / "pw.toml"
    config.write_text(
        '[hotlist_sources]\nncic = "/srv/ncic.csv"\n'
        '[webhooks.dispatch]\nurl = "https://cad.example/alerts"\nsecret = "k"\n'
    )
    settings = get_settings(config, environ={})
    assert settings.hotlist_sources == (("ncic", "/srv/ncic.csv"),)
    assert settings.webhooks == (("dispatch", "https://cad.example/alerts", "k"),)


def test_hotlist_sources_from_the_environment(tmp_path: Path) -> None:
    env = {"PLATEWARDEN_HOTLIST_SOURCES": "a=/x.csv, b=https://state.example/hot.csv"}
    assert get_settings(environ=env).hotlist_sources == (
        ("a", "/x.csv"),
        ("b", "https://state.example/hot.csv"),
    )
    with pytest.raises(SettingsError, match="is not NAME=PATH_OR_HTTPS_URL"):
        get_settings(environ={"PLATEWARDEN_HOTLIST_SOURCES": "justaname"})


def test_a_webhook_without_its_secret_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "pw.toml"
    config.write_text('[webhooks.dispatch]\nurl = "https://cad.example/alerts"\n')
    with pytest.raises(SettingsError, match="needs url and secret"):
        get_settings(config, environ={})


def test_plate_region_is_checked(tmp_path: Path) -> None:
    assert get_settings(environ={}).plate_region == "any"
    assert get_settings(environ={"PLATEWARDEN_PLATE_REGION": "br"}).plate_region == "br"
    config = tmp_path / "pw.toml"
    config.write_text('plate_region = "mars"\n')
    refusal = r"plate_region: 'mars' is not a plate region \(known: any, at, be, br, .*us-ca\)"
    with pytest.raises(SettingsError, match=refusal):
        get_settings(config, environ={})


def test_a_search_replica_needs_postgresql_on_both_sides(tmp_path: Path) -> None:
    replica = "postgresql://reader@replica/pw"
    with pytest.raises(SettingsError, match="search_replica_url: a read replica needs PostgreSQL"):
        get_settings(environ={"PLATEWARDEN_SEARCH_REPLICA_URL": replica})  # SQLite database
    settings = get_settings(
        environ={
            "PLATEWARDEN_DATABASE_URL": "postgresql://writer@primary/pw",
            "PLATEWARDEN_SEARCH_REPLICA_URL": replica,
        }
    )
    assert settings.search_replica_url == replica
