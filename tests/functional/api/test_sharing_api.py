"""Sharing requests over the API: filed with the letter, reviewed by another member, released."""

import io
import json
import zipfile
from collections.abc import Callable

import pytest

from platewarden.policy.access import Role
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from tests.factories import CAMERA_FEED, T0, new_read
from tests.functional.api.accounts import log_on_with_code
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]
LETTER = b"%PDF-1.4 county sheriff's written request"
REQUESTS = "/api/v1/sharing/requests"


def asked(**scope: object) -> dict[str, object]:
    """The fields of the county's request, for these reads."""
    return {
        "agency": "County Sheriff",
        "agency_type": "law_enforcement",
        "requester": "Sgt. Diaz",
        "requester_contact": "diaz@county.example",
        "purpose": "major_crime",
        "case_number": "CS-26-9",
        "received_on": T0.isoformat(),
        "scope": scope or {"plates": ["SHR111", "shr222"]},
    }


def file(client: Client, who: dict[str, str], **scope: object) -> dict[str, object]:
    """File a request with its letter; return it."""
    answer = client.post(
        REQUESTS,
        headers=who,
        data={"request": json.dumps(asked(**scope))},
        files={"letter": ("letter.pdf", LETTER, "application/pdf")},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
def reads(runtime: Runtime) -> None:
    """Two plates' reads, with images."""
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [new_read("SHR111", with_images=True), new_read("SHR222", with_images=True)],
    )


@pytest.mark.usefixtures("reads")
def test_a_request_is_filed_narrowed_by_another_member_and_released_once(
    runtime: Runtime, client: Client, logged_on: Logon
) -> None:
    clerk = logged_on("rec.cole", Role.RECORDS_CUSTODIAN)
    filed = file(client, clerk)
    assert (filed["status"], filed["entered_by"]) == ("pending", "rec.cole")
    assert filed["scope"]["plates"] == ["SHR111", "SHR222"]
    number = filed["id"]
    assert [r["id"] for r in client.get(REQUESTS, headers=clerk).json()] == [number]
    assert client.get(f"{REQUESTS}/{number}", headers=clerk).json()["agency"] == "County Sheriff"
    letter = client.get(f"{REQUESTS}/{number}/letter", headers=clerk)
    assert (letter.content, letter.headers["content-type"]) == (LETTER, "application/pdf")

    not_a_reviewer = client.post(
        f"{REQUESTS}/{number}/approval", headers=clerk, json={"reason": "ok"}
    )
    assert not_a_reviewer.status_code == 403
    assert "administrator" in not_a_reviewer.json()["detail"]
    admin = log_on_with_code(runtime, client, "adm", Role.ADMINISTRATOR)
    wider = client.post(
        f"{REQUESTS}/{number}/approval",
        headers=admin,
        json={"reason": "ok", "scope": {"plates": ["SHR111", "OTHER1"]}},
    )
    assert wider.status_code == 422
    assert "did not ask for" in wider.text
    approved = client.post(
        f"{REQUESTS}/{number}/approval",
        headers=admin,
        json={"reason": "one plate is enough", "scope": {"plates": ["SHR111"]}},
    )
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "adm")

    assert client.post(f"{REQUESTS}/{number}/release", headers=admin).status_code == 403
    released = client.post(f"{REQUESTS}/{number}/release", headers=clerk)
    assert released.status_code == 201, released.text
    with zipfile.ZipFile(io.BytesIO(released.content)) as archive:
        plates = [r["plate"] for r in json.loads(archive.read("reads.json"))]
        custody = json.loads(archive.read("custody.json"))
    assert plates == ["SHR111"], "exactly the approved scope"
    assert custody["release"]["approved_by"] == "adm"
    shown = client.get(f"{REQUESTS}/{number}", headers=clerk).json()
    assert (shown["status"], shown["reads_released"]) == ("fulfilled", 1)
    assert shown["manifest_sha256"] == released.headers["x-manifest-sha256"]
    again = client.post(f"{REQUESTS}/{number}/release", headers=clerk)
    assert again.status_code == 422, "released once"


@pytest.mark.usefixtures("reads")
def test_the_member_who_filed_may_not_decide_and_a_denied_request_releases_nothing(
    runtime: Runtime, client: Client, logged_on: Logon
) -> None:
    admin = log_on_with_code(runtime, client, "adm", Role.ADMINISTRATOR)
    number = file(client, admin)["id"]
    own = client.post(f"{REQUESTS}/{number}/denial", headers=admin, json={"reason": "no"})
    assert own.status_code == 403
    assert "entered the request" in own.json()["detail"]
    other = log_on_with_code(runtime, client, "adm2", Role.ADMINISTRATOR)
    denied = client.post(
        f"{REQUESTS}/{number}/denial", headers=other, json={"reason": "no case shown"}
    )
    assert denied.json()["status"] == "denied"
    clerk = logged_on("rec.cole", Role.RECORDS_CUSTODIAN)
    assert client.post(f"{REQUESTS}/{number}/release", headers=clerk).status_code == 422


def test_sharing_refusals_are_problems(client: Client, logged_on: Logon) -> None:
    assert client.get(REQUESTS).status_code == 401
    officer = logged_on("ofc.lee", Role.OFFICER)
    refused = client.get(REQUESTS, headers=officer)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    clerk = logged_on("rec.cole", Role.RECORDS_CUSTODIAN)
    assert client.get(f"{REQUESTS}/999", headers=clerk).status_code == 404
    broken = client.post(REQUESTS, headers=clerk, data={"request": "{not json"})
    assert broken.status_code == 422
    no_agency = {k: v for k, v in asked().items() if k != "agency"}
    missing = client.post(REQUESTS, headers=clerk, data={"request": json.dumps(no_agency)})
    assert [p["where"] for p in missing.json()["problems"]] == ["request.agency"]
    everything = client.post(
        REQUESTS, headers=clerk, data={"request": json.dumps(asked(cameras=["cam-1"]))}
    )
    assert everything.status_code == 422
    assert "a scope never takes everything" in everything.text
    assert client.get(REQUESTS, headers=clerk).json() == [], "nothing half-stored"


def test_our_request_to_another_system_is_recorded(client: Client, logged_on: Logon) -> None:
    clerk = logged_on("rec.cole", Role.RECORDS_CUSTODIAN)
    body = {
        "agency": "State Patrol",
        "requester": "rec.cole",
        "requester_contact": "records@pd.example",
        "purpose": "major_crime",
        "case_number": "26-117",
        "sent_on": T0.isoformat(),
        "scope": {"plates": ["abc123"]},
    }
    sent = client.post(f"{REQUESTS}/outgoing", headers=clerk, json=body)
    assert sent.status_code == 201, sent.text
    assert (sent.json()["direction"], sent.json()["scope"]["plates"]) == ("outgoing", ["ABC123"])
    assert (
        client.get(REQUESTS, headers=clerk, params={"direction": "outgoing"}).json()[0]["agency"]
        == "State Patrol"
    )
    officer = logged_on("ofc.lee", Role.OFFICER)
    assert client.post(f"{REQUESTS}/outgoing", headers=officer, json=body).status_code == 403
