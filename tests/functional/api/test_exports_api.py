"""Evidence exports over the API: a hold's zip archive with its manifest, checked again."""

import hashlib
import io
import json
import zipfile
from collections.abc import Callable

import pytest

from platewarden.domain import HoldKind
from platewarden.policy.access import Role
from platewarden.selection import ReadSelection
from platewarden.services import holds
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from tests.factories import CAMERA_FEED, CUSTODIAN, new_read
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]
ZIP = {"Content-Type": "application/zip"}


@pytest.fixture
def hold_id(runtime: Runtime) -> int:
    """A hold on two reads of ABC1234, one with its frame and crop."""
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [new_read("ABC1234", with_images=True), new_read("ABC1234"), new_read("ZZZ999")],
    )
    return holds.create_hold(
        runtime,
        CUSTODIAN,
        kind=HoldKind.EVIDENCE,
        purpose="stolen_vehicle",
        case_number="26-0042",
        reason="stolen vehicle recovered",
        selection=ReadSelection(plates=("ABC1234",)),
    ).id


def _rezip(archive: bytes, changed: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            new.writestr(name, changed.get(name, old.read(name)))
    return out.getvalue()


def test_the_custodian_downloads_a_holds_archive_and_checks_it(
    client: Client, logged_on: Logon, hold_id: int
) -> None:
    clerk = logged_on("rec.cole", Role.RECORDS_CUSTODIAN)
    made = client.post(
        "/api/v1/exports", headers=clerk, json={"hold_id": hold_id, "evidence_number": "E-77"}
    )
    assert made.status_code == 201, made.text
    assert made.headers["content-type"] == "application/zip"
    assert made.headers["x-read-count"] == "2"
    with zipfile.ZipFile(io.BytesIO(made.content)) as archive:
        names = set(archive.namelist())
        manifest = archive.read("manifest.json")
        custody = json.loads(archive.read("custody.json"))
        listed = json.loads(manifest)["files"]
        assert all(hashlib.sha256(archive.read(n)).hexdigest() == h for n, h in listed.items())
    assert {"reads.csv", "reads.json", "custody.json", "manifest.json"} <= names
    assert sum(n.startswith("images/") for n in names) == 2
    assert custody["evidence_number"] == "E-77"
    assert made.headers["x-manifest-sha256"] == hashlib.sha256(manifest).hexdigest()
    (listed_export,) = client.get("/api/v1/exports", headers=clerk).json()
    assert (listed_export["evidence_number"], listed_export["read_count"]) == ("E-77", 2)

    checked = client.post(
        "/api/v1/exports/verification", headers={**clerk, **ZIP}, content=made.content
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["ok"] is True
    assert checked.json()["record"]["label"] == "E-77"

    tampered = _rezip(made.content, {"reads.csv": b"id,plate\n1,XYZ999\n"})
    found = client.post("/api/v1/exports/verification", headers={**clerk, **ZIP}, content=tampered)
    assert (found.json()["ok"], found.json()["changed"]) == (False, ["reads.csv"])


def test_export_refusals_are_problems(client: Client, logged_on: Logon, hold_id: int) -> None:
    body = {"hold_id": hold_id, "evidence_number": "E-1"}
    assert client.post("/api/v1/exports", json=body).status_code == 401
    officer = logged_on("ofc.lee", Role.OFFICER)
    refused = client.post("/api/v1/exports", headers=officer, json=body)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "records_custodian" in refused.json()["detail"]
    untrained = logged_on("rec.new", Role.RECORDS_CUSTODIAN, trained=False)
    assert (
        "ALPR records custodian"
        in client.post("/api/v1/exports", headers=untrained, json=body).json()["detail"]
    )
    clerk = logged_on("rec.cole", Role.RECORDS_CUSTODIAN)
    missing = client.post(
        "/api/v1/exports", headers=clerk, json={"hold_id": 9999, "evidence_number": "E-1"}
    )
    assert missing.status_code == 404
    blank = client.post("/api/v1/exports", headers=clerk, json={"hold_id": hold_id})
    assert blank.status_code == 422
    not_zip = client.post(
        "/api/v1/exports/verification", headers={**clerk, **ZIP}, content=b"not a zip"
    )
    assert not_zip.status_code == 422
    assert "not a readable zip" in not_zip.text
    wrong_type = client.post("/api/v1/exports/verification", headers=clerk, content=b"{}")
    assert wrong_type.status_code == 415
