"""Holds, exports and purge runs without a browser: placed from a read, released with a reason,
downloaded as a zip by the records custodian, and each page refused to a role without it."""

import io
import json
import zipfile
from collections.abc import Callable

import httpx
import pytest

from platewarden.domain import HoldKind, ReadSelection
from platewarden.policy.access import Role
from platewarden.services import holds, purge
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from tests.factories import CAMERA_FEED, CUSTODIAN, actor, new_read
from tests.functional.console.conftest import AddMember, csrf_of

LogOn = Callable[..., httpx.Client]
CASE = "26-117"


def held(rt: Runtime) -> int:
    """Store two reads and hold the first; return the hold's id."""
    ingest_reads(rt, CAMERA_FEED, [new_read("ABC123", with_images=True), new_read("XYZ999")])
    hold = holds.create_hold(
        rt,
        actor(Role.INVESTIGATOR),
        kind=HoldKind.EVIDENCE,
        purpose="major_crime",
        case_number=CASE,
        reason="evidence in the shooting",
        selection=ReadSelection(plates=("ABC123",)),
    )
    return hold.id


def test_an_investigator_holds_a_read_from_its_page_and_may_not_release_it(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("ABC123", with_images=True)])
    add_member("det", Role.INVESTIGATOR)
    csrf = csrf_of(console("det").get("/reads/1").text)
    why = {"csrf_token": csrf, "purpose": "major_crime", "case_number": CASE}
    page = client.post("/reads/1", data=why)
    assert 'id="place-hold"' in page.text
    no_reason = client.post("/holds", data={**why, "kind": "evidence", "read_id": "1"})
    assert no_reason.status_code == 422 and "reason: is required" in no_reason.text
    placed = client.post(
        "/holds", data={**why, "kind": "evidence", "read_id": "1", "reason": "the getaway car"}
    )
    assert placed.status_code == 303
    shown = client.get(placed.headers["location"])
    assert shown.status_code == 200 and "the getaway car" in shown.text
    assert "Release the hold" not in shown.text  # not offered: investigators do not release
    assert "A records custodian exports this hold" in shown.text
    hold_id = int(placed.headers["location"].rsplit("/", 1)[1])
    assert holds.get_hold(runtime, CUSTODIAN, hold_id=hold_id).selection.read_ids == (1,)
    refused = client.post(f"/holds/{hold_id}/release", data={"csrf_token": csrf, "reason": "x"})
    assert refused.status_code == 403 and "release_hold" in refused.text
    assert holds.get_hold(runtime, CUSTODIAN, hold_id=hold_id).active


def test_a_hold_on_a_search_keeps_every_read_it_finds(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read(f"ABC12{n}") for n in range(3)])
    add_member("det", Role.INVESTIGATOR)
    csrf = csrf_of(console("det").get("/search").text)
    search = {"csrf_token": csrf, "purpose": "major_crime", "case_number": CASE, "plate": "ABC12*"}
    assert "Place a hold on what this search finds" in client.post("/search", data=search).text
    placed = client.post("/holds", data={**search, "kind": "lawful_order", "reason": "warrant"})
    assert placed.status_code == 303, placed.text
    hold_id = int(placed.headers["location"].rsplit("/", 1)[1])
    assert holds.get_hold(runtime, CUSTODIAN, hold_id=hold_id).read_count == 3
    preservation = client.post("/holds", data={**search, "kind": "preservation", "reason": "x"})
    assert preservation.status_code == 422 and "sworn statement" in preservation.text


def test_the_custodian_releases_a_hold_with_a_reason(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    hold_id = held(runtime)
    add_member("keeper", Role.RECORDS_CUSTODIAN)
    listed = console("keeper").get("/holds")
    assert listed.status_code == 200 and f"Hold {hold_id}" in listed.text and CASE in listed.text
    page = client.get(f"/holds/{hold_id}")
    assert "Release the hold" in page.text and "Download hold" in page.text
    csrf = csrf_of(page.text)
    blank = client.post(f"/holds/{hold_id}/release", data={"csrf_token": csrf, "reason": " "})
    assert blank.status_code == 422 and "reason: is required" in blank.text
    done = client.post(
        f"/holds/{hold_id}/release", data={"csrf_token": csrf, "reason": "case closed"}
    )
    assert done.status_code == 303
    after = client.get(f"/holds/{hold_id}")
    assert "released" in after.text and "case closed" in after.text
    assert "Release the hold" not in after.text
    again = client.post(f"/holds/{hold_id}/release", data={"csrf_token": csrf, "reason": "x"})
    assert again.status_code == 422 and "was released already" in again.text
    active = client.get("/holds?active=true")
    assert f"Hold {hold_id}" not in active.text


def test_the_custodian_downloads_a_holds_export_as_a_zip_and_it_is_on_record(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    hold_id = held(runtime)
    add_member("keeper", Role.RECORDS_CUSTODIAN)
    page = console("keeper").get("/exports")
    assert page.status_code == 200 and "No exports yet" in page.text
    data = {"csrf_token": csrf_of(page.text), "hold_id": str(hold_id)}
    no_number = client.post("/exports", data=data)
    assert no_number.status_code == 422 and "evidence number" in no_number.text
    answer = client.post("/exports", data={**data, "evidence_number": "EV-2026-17"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert f"hold-{hold_id}-export.zip" in answer.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = archive.namelist()
        custody = json.loads(archive.read(next(n for n in names if n.endswith("custody.json"))))
    assert any(n.endswith("manifest.json") for n in names)
    assert "EV-2026-17" in json.dumps(custody)
    listed = client.get("/exports")
    assert "EV-2026-17" in listed.text and answer.headers["x-manifest-sha256"] in listed.text


def test_purge_runs_are_listed_for_the_custodian(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    purge.purge(runtime, CUSTODIAN, dry_run=True)
    add_member("keeper", Role.RECORDS_CUSTODIAN)
    page = console("keeper").get("/purge-runs")
    assert page.status_code == 200 and "DRY RUN" in page.text and "90 days" in page.text


@pytest.mark.parametrize(
    ("path", "role", "needs"),
    [
        ("/holds", Role.OFFICER, "view_holds"),
        ("/holds/1", Role.OFFICER, "view_holds"),
        ("/exports", Role.INVESTIGATOR, "export_evidence"),
        ("/purge-runs", Role.INVESTIGATOR, "view_purge_runs"),
    ],
)
def test_a_role_without_the_permission_or_its_training_is_refused_the_page(
    client: httpx.Client, console: LogOn, add_member: AddMember, path: str, role: Role, needs: str
) -> None:
    add_member("other", role)
    add_member("rookie", Role.RECORDS_CUSTODIAN, Role.INVESTIGATOR, trained=False)
    for username, reason in (("other", needs), ("rookie", "needs current training")):
        answer = console(username).get(path)
        assert answer.status_code == 403, (username, path)
        assert reason in answer.text, (username, path)


def test_changes_are_refused_to_roles_without_them(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    hold_id = held(runtime)
    add_member("sup", Role.SUPERVISOR)
    csrf = csrf_of(console("sup").get(f"/holds/{hold_id}").text)
    asked = {"csrf_token": csrf, "purpose": "major_crime", "case_number": CASE}
    placed = client.post(
        "/holds", data={**asked, "kind": "evidence", "reason": "x", "read_id": "1"}
    )
    assert placed.status_code == 403 and "create_hold" in placed.text
    exported = client.post(
        "/exports", data={"csrf_token": csrf, "hold_id": str(hold_id), "evidence_number": "E-1"}
    )
    assert exported.status_code == 403 and "export_evidence" in exported.text
    assert len(holds.list_holds(runtime, CUSTODIAN)) == 1
