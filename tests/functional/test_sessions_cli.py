"""A console session belongs to the OS user and data folder that logged on."""

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from platewarden.cli.main import app
from platewarden.policy.access import Role
from platewarden.services import members
from platewarden.services.runtime import open_runtime
from platewarden.settings import get_settings
from tests.factories import PASSWORD, actor
from tests.functional.conftest import Run


def logged_on_officer(run: Run) -> Path:
    """Add a trained officer, log them on at the console; return the session's token file."""
    rt = open_runtime(get_settings())
    founder = actor(Role.ADMINISTRATOR, name="founder")
    members.add_member(
        rt, founder, username="ofc", full_name="Ofc", password=PASSWORD, roles=[Role.OFFICER]
    )
    members.record_training(
        rt, founder, username="ofc", course="ALPR operator", completed_on=rt.clock.now()
    )
    rt.close()
    logged = CliRunner().invoke(app, ["login", "--username", "ofc"], input=PASSWORD + "\n")
    assert logged.exit_code == 0, logged.output
    assert "ofc: officer" in run("whoami").output
    (token,) = (get_settings().data_dir / "sessions").iterdir()
    assert token.name == f"uid-{os.getuid()}.token", "named by the uid, not by $USER"
    return token


def test_a_token_copied_to_another_os_user_is_refused(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = logged_on_officer(run)
    other_uid = os.getuid() + 1000
    shutil.copy(token, token.with_name(f"uid-{other_uid}.token"))
    monkeypatch.setenv("USER", "ofc")
    monkeypatch.setattr(os, "getuid", lambda: other_uid)
    refused = run("whoami")
    assert refused.exit_code == 1
    assert "this session belongs to another user or installation" in refused.output


def test_a_token_copied_to_another_data_folder_on_the_same_database_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = logged_on_officer(run)
    data = get_settings().data_dir
    other = tmp_path / "other-console"
    (other / "sessions").mkdir(parents=True)
    shutil.copy(data / "master.key", other / "master.key")
    shutil.copy(token, other / "sessions" / token.name)
    monkeypatch.setenv("PLATEWARDEN_DATA_DIR", str(other))
    monkeypatch.setenv("PLATEWARDEN_DATABASE_URL", get_settings().database_url)
    refused = run("whoami")
    assert refused.exit_code == 1, refused.output
    assert "this session belongs to another user or installation" in refused.output
