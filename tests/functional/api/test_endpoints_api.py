"""Each endpoint group does what its CLI command does, for the roles the policy allows."""

from collections.abc import Callable

import pyotp
import pytest

from platewarden.policy.access import Role
from platewarden.services import members
from platewarden.services.runtime import Runtime
from tests.factories import PASSWORD, actor
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]


@pytest.fixture
def admin(runtime: Runtime, client: Client) -> dict[str, str]:
    """An administrator logged on with their second factor."""
    founder = actor(Role.ADMINISTRATOR, name="founder")
    members.add_member(
        runtime,
        founder,
        username="adm",
        full_name="Adm",
        password=PASSWORD,
        roles=[Role.ADMINISTRATOR],
    )
    members.record_training(
        runtime,
        founder,
        username="adm",
        course="ALPR administrator",
        completed_on=runtime.clock.now(),
    )
    secret = members.enroll_totp(runtime, founder, username="adm").secret
    without = client.post("/api/v1/session", json={"username": "adm", "password": PASSWORD})
    assert without.status_code == 401, "an administrator gives a second factor"
    code = pyotp.TOTP(secret).at(runtime.clock.now())
    answer = client.post(
        "/api/v1/session", json={"username": "adm", "password": PASSWORD, "code": code}
    )
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_an_administrator_adds_trains_and_changes_a_member(
    client: Client, admin: dict[str, str]
) -> None:
    added = client.post(
        "/api/v1/members",
        headers=admin,
        json={
            "username": "ofc.new",
            "full_name": "New Officer",
            "password": "a long passphrase 9",
            "roles": ["officer"],
        },
    )
    assert added.status_code == 201, added.text
    assert "password" not in str(added.json()).lower().replace("must_change_password", "")
    assert added.json()["must_change_password"] is True
    first = client.post(
        "/api/v1/session", json={"username": "ofc.new", "password": "a long passphrase 9"}
    )
    assert first.status_code == 201 and first.json()["must_change_password"] is True
    trained = client.post(
        "/api/v1/training",
        headers=admin,
        json={
            "username": "ofc.new",
            "course": "ALPR operator",
            "completed_on": "2026-05-30T00:00:00Z",
        },
    )
    assert trained.status_code == 201, trained.text
    roles = client.post(
        "/api/v1/members/roles",
        headers=admin,
        json={"username": "ofc.new", "roles": ["officer", "investigator"]},
    )
    assert sorted(roles.json()["roles"]) == ["investigator", "officer"]
    shown = client.post("/api/v1/members/query", headers=admin, json={"username": "ofc.new"})
    assert [t["course"] for t in shown.json()["training"]] == ["ALPR operator"]
    assert {m["username"] for m in client.get("/api/v1/members", headers=admin).json()} >= {
        "adm",
        "ofc.new",
    }


def test_hot_list_files_load_and_entries_are_looked_up_in_the_body(
    client: Client, admin: dict[str, str], logged_on: Logon
) -> None:
    loaded = client.post(
        "/api/v1/hotlists/sources/ncic/versions",
        headers={**admin, "Content-Type": "text/csv"},
        content=b"LIC,LIS,TYP\nSTL4411,MT,stolen vehicle\nBAD!!,MT,stolen vehicle\n",
    )
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["version"]["entry_count"] == 1
    assert [p["where"] for p in loaded.json()["skipped"]] == ["line 3"]
    officer = logged_on("ofc.lee", Role.OFFICER)
    found = client.post(
        "/api/v1/hotlists/entries/query", headers=officer, json={"plate": "STL4411"}
    )
    assert [e["plate"] for e in found.json()] == ["STL4411"]
    refused = client.post(
        "/api/v1/hotlists/entries",
        headers=officer,
        json={"plate": "AB?1*", "purpose": "major_crime", "case_number": "26-1"},
    )
    assert refused.status_code == 403
    entered = client.post(
        "/api/v1/hotlists/entries",
        headers=admin,
        json={"plate": "AB?1*", "purpose": "major_crime", "case_number": "26-1"},
    )
    assert entered.status_code == 201, entered.text
    assert client.get("/api/v1/hotlists/status", headers=officer).json()[0]["source"] == "ncic"


def test_a_body_over_the_limit_is_413_and_read_no_further(
    client: Client, admin: dict[str, str]
) -> None:
    answer = client.post(
        "/api/v1/hotlists/sources/ncic/versions",
        headers={**admin, "Content-Type": "text/csv"},
        content=b"LIC,TYP\n" + b"X" * (51 * 2**20),
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"


def test_an_auditor_queries_verifies_and_anchors_the_trail(
    runtime: Runtime, client: Client, logged_on: Logon
) -> None:
    founder = actor(Role.ADMINISTRATOR, name="founder")
    members.add_member(
        runtime, founder, username="aud", full_name="Aud", password=PASSWORD, roles=[Role.AUDITOR]
    )
    members.record_training(
        runtime, founder, username="aud", course="ALPR auditor", completed_on=runtime.clock.now()
    )
    secret = members.enroll_totp(runtime, founder, username="aud").secret
    code = pyotp.TOTP(secret).at(runtime.clock.now())
    token = client.post(
        "/api/v1/session", json={"username": "aud", "password": PASSWORD, "code": code}
    ).json()["token"]
    auditor = {"Authorization": f"Bearer {token}"}
    records = client.post("/api/v1/audit/query", headers=auditor, json={"action": "logon"})
    assert records.status_code == 200
    assert [r["actor"] for r in records.json()] == ["aud"]
    assert client.post("/api/v1/audit/verification", headers=auditor).json() == {
        "intact": True,
        "problems": [],
    }
    head = client.post("/api/v1/audit/anchor", headers=auditor).json()
    checked = client.post("/api/v1/audit/verification", headers=auditor, json=head)
    assert checked.json()["intact"] is True
    officer = logged_on("ofc.lee", Role.OFFICER)
    assert client.post("/api/v1/audit/query", headers=officer, json={}).status_code == 403


def test_purge_runs_and_maintenance_follow_the_permission_table(
    client: Client, admin: dict[str, str], logged_on: Logon
) -> None:
    clerk = logged_on("rec.cole", Role.RECORDS_CUSTODIAN)
    dry = client.post("/api/v1/purge-runs", headers=clerk, json={"dry_run": True})
    assert dry.status_code == 201, dry.text
    assert dry.json()["dry_run"] is True
    assert client.post("/api/v1/purge-runs", headers=admin, json={}).status_code == 403
    done = client.post(
        "/api/v1/maintenance",
        headers=admin,
        json={
            "camera": "cam-1",
            "kind": "calibration",
            "done_on": "2026-05-01T10:00:00Z",
            "performed_by": "Acme Optics",
            "next_due": "2026-05-20T00:00:00Z",
        },
    )
    assert done.status_code == 201, done.text
    overdue = client.get("/api/v1/maintenance/overdue", headers=admin).json()
    assert [c["camera"] for c in overdue] == ["cam-1"]
    assert client.get("/api/v1/reports/transparency", headers=admin).status_code == 200
