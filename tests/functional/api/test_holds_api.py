"""Holds over the API: placed on what a selection finds, shown, released with a reason."""

from collections.abc import Callable

from platewarden.policy.access import Role
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from tests.factories import CAMERA_FEED, new_read
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]


def test_an_investigator_holds_reads_and_the_custodian_releases_them(
    runtime: Runtime, client: Client, logged_on: Logon
) -> None:
    now = runtime.clock.now()
    ingest_reads(runtime, CAMERA_FEED, [new_read("HLD123", captured_at=now)])
    det = logged_on("det.roe", Role.INVESTIGATOR)
    placed = client.post(
        "/api/v1/holds",
        headers=det,
        json={
            "kind": "evidence",
            "purpose": "major_crime",
            "case_number": "26-117",
            "reason": "suspect vehicle",
            "selection": {"plates": ["HLD123"]},
        },
    )
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert hold["read_count"] == 1
    assert client.get(f"/api/v1/holds/{hold['id']}", headers=det).json()["case_number"] == "26-117"
    refused = client.post(f"/api/v1/holds/{hold['id']}/release", headers=det, json={"reason": "x"})
    assert refused.status_code == 403
    clerk = logged_on("rec.cole", Role.RECORDS_CUSTODIAN)
    released = client.post(
        f"/api/v1/holds/{hold['id']}/release", headers=clerk, json={"reason": "case closed"}
    )
    assert released.status_code == 200, released.text
    assert client.get("/api/v1/holds", headers=clerk).json() == []


def test_a_preservation_hold_without_its_sworn_fields_is_refused(
    client: Client, logged_on: Logon
) -> None:
    det = logged_on("det.roe", Role.INVESTIGATOR)
    answer = client.post(
        "/api/v1/holds",
        headers=det,
        json={
            "kind": "preservation",
            "purpose": "major_crime",
            "case_number": "26-117",
            "reason": "county asks",
            "selection": {"plates": ["HLD123"]},
        },
    )
    assert answer.status_code == 422
