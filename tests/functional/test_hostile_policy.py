"""A member's own policy file switches nothing off.

Every role, and an officer whose training lapsed, runs the commands a permissive policy file
would open up, with that file in the environment (`PLATEWARDEN_POLICY_FILE`) and in a settings
file (`--config`): log on without a second factor, search without training, approve their own
sharing request, purge reads 3 to 9 days old with a one-day retention, apply the file. The
policy in force stays the database's, and nothing changes.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from platewarden.cli.main import app
from platewarden.domain import AgencyType, ReadSource
from platewarden.policy.access import Role
from platewarden.policy.model import DEFAULT_POLICY_FILE
from platewarden.selection import ReadSelection
from platewarden.services import members, sharing
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime, open_runtime
from platewarden.settings import get_settings
from platewarden.store.schema import policy_versions, reads, share_requests
from tests.factories import PASSWORD, actor, new_read
from tests.functional.conftest import Run
from tests.functional.test_cli import reads_file

NOW = datetime.now(UTC).replace(microsecond=0)
HOSTILE = (
    DEFAULT_POLICY_FILE.read_text("utf-8")
    .replace("days = 90", "days = 1")
    .replace('totp_roles = ["administrator", "auditor"]', "totp_roles = []")
    .replace("separate_reviewer = true", "separate_reviewer = false")
    .replace("valid_months = 12", "valid_months = 120")
)
ROLES = {
    "admin": Role.ADMINISTRATOR,
    "ofc": Role.OFFICER,
    "det": Role.INVESTIGATOR,
    "sgt": Role.SUPERVISOR,
    "aud": Role.AUDITOR,
    "clerk": Role.RECORDS_CUSTODIAN,
    "rookie": Role.OFFICER,  # trained 13 months ago: lapsed under 12 months, current under 120
}


def set_up(rt: Runtime) -> int:
    """Add a member of each role, reads 3 to 9 days old, and the admin's own sharing request."""
    founder = actor(Role.ADMINISTRATOR, name="founder")
    for username, role in ROLES.items():
        members.add_member(
            rt, founder, username=username, full_name=username, password=PASSWORD, roles=[role]
        )
        done = NOW - timedelta(days=395 if username == "rookie" else 10)
        course = rt.policy.training.courses[role.value]
        members.record_training(rt, founder, username=username, course=course, completed_on=done)
    admin = actor(Role.ADMINISTRATOR, name="admin")
    request = sharing.receive_request(
        rt,
        admin,
        agency="County SO",
        agency_type=AgencyType.LAW_ENFORCEMENT,
        requester="Sgt. Roe",
        requester_contact="roe@county.example",
        purpose="stolen_vehicle",
        case_number="C-77",
        scope=ReadSelection(plates=("OLD0003",), since=NOW - timedelta(days=10), until=NOW),
        received_on=NOW - timedelta(days=1),
    )
    return request.id


def state(rt: Runtime) -> tuple[object, ...]:
    """What a bypass would change: reads, the policy in force, the sharing request."""
    with rt.engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(reads)),
            conn.scalar(select(func.max(policy_versions.c.version))),
            tuple(conn.execute(select(share_requests.c.status)).scalars()),
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_role_gains_anything_from_a_hostile_policy_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("ingest", reads_file(tmp_path, 1), "--source", "county").exit_code == 0
    rt = open_runtime(get_settings())
    ingest_reads(
        rt,
        actor(Role.SYSTEM, name="camera-feed"),
        [
            new_read(
                f"OLD{d:04d}",
                captured_at=NOW - timedelta(days=d),
                camera=None,
                source=ReadSource.IMPORT,
                source_name="county",
            )
            for d in range(3, 10)
        ],
    )
    request_id = set_up(rt)
    secrets = {
        name: members.enroll_totp(rt, actor(Role.ADMINISTRATOR, name="founder"), username=name)
        for name in ("admin", "aud")
    }
    before = state(rt)
    rt.close()

    hostile = tmp_path / "hostile.toml"
    hostile.write_text(HOSTILE)
    config = tmp_path / "settings.toml"
    config.write_text(f'policy_file = "{hostile}"\n')
    monkeypatch.setenv("PLATEWARDEN_POLICY_FILE", str(hostile))
    commands = [
        ("whoami",),
        ("search", "--purpose", "stolen_vehicle", "--case", "C-1", "--plate", "OLD*"),
        ("purge",),
        ("jobs", "run", "purge"),
        ("share", "approve", str(request_id), "--reason", "mine to approve"),
        ("policy", "apply", str(hostile), "--reason", "mine", "--yes"),
    ]
    outcomes: dict[str, list[str]] = {}
    for username in ROLES:
        refused_logon = CliRunner().invoke(
            app, ["login", "--username", username], input=PASSWORD + "\n"
        )
        if username in secrets:
            assert refused_logon.exit_code == 1, "no second factor, whatever the file says"
            code = pyotp.TOTP(secrets[username].secret).now()
            logged = CliRunner().invoke(
                app, ["login", "--username", username, "--code", code], input=PASSWORD + "\n"
            )
        else:
            logged = refused_logon
        assert logged.exit_code == 0, logged.output
        for command in commands:
            if username == "admin" and command[0] == "policy":
                continue  # applying a policy is the administrator's own lawful power
            for extra in ([], ["--config", str(config)]):
                result = run(*extra, *command)
                assert result.exit_code in (0, 1), result.output
                assert "Traceback" not in result.output
                outcomes.setdefault(username, []).append(f"{command[0]}:{result.exit_code}")
        run("logout")

    rt = open_runtime(get_settings())
    assert state(rt) == before, "reads, policy and the sharing request are as they were"
    assert rt.policy.retention.days == 90
    rt.close()
    searched = {u for u, told in outcomes.items() if "search:0" in told}
    assert "det" in searched, "the test's search works for a trained investigator"
    assert "rookie" not in searched, "the lapsed officer searched nothing"
    purged = {u for u, told in outcomes.items() if "purge:0" in told}
    assert purged == {"clerk"}, "only the records custodian purges, and the 90 days held"
