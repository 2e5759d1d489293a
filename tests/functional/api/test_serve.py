"""The server refuses to listen beyond this machine in the clear."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from platewarden.api.server import check_exposure
from platewarden.cli.main import app
from platewarden.settings import Settings, SettingsError


def settings(tmp_path: Path, **values: object) -> Settings:
    """Settings of a server with these values."""
    return Settings(data_dir=tmp_path, database_url="sqlite://", **values)  # type: ignore[arg-type]


def test_loopback_a_proxy_or_tls_are_safe(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("x")
    check_exposure(settings(tmp_path, listen="127.0.0.1:8426"))
    check_exposure(settings(tmp_path, listen="[::1]:8426"))
    check_exposure(settings(tmp_path, listen="0.0.0.0:8426", behind_proxy=True))
    check_exposure(settings(tmp_path, listen="0.0.0.0:443", tls_cert=cert, tls_key=key))


@pytest.mark.parametrize(
    ("values", "told"),
    [
        ({"listen": "0.0.0.0:8426"}, "reaches beyond this machine without TLS"),
        ({"tls_cert": Path("/nonexistent.pem")}, "together or not at all"),
        (
            {"tls_cert": Path("/no/c.pem"), "tls_key": Path("/no/k.pem")},
            "TLS file /no/c.pem does not exist",
        ),
    ],
    ids=["all interfaces in the clear", "certificate without key", "missing files"],
)
def test_unsafe_settings_are_refused_with_the_reason(
    tmp_path: Path, values: dict[str, object], told: str
) -> None:
    with pytest.raises(SettingsError, match=told):
        check_exposure(settings(tmp_path, **values))


def test_serve_with_an_unsafe_listen_address_does_not_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATEWARDEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PLATEWARDEN_LISTEN", "0.0.0.0:8426")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "cannot start:" in result.output
    assert not (tmp_path / "data").exists(), "refused before anything was created"
