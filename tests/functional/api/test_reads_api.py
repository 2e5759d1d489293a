"""Other systems and cameras push reads with a device token: all or nothing, once, nothing else."""

from collections.abc import Callable

import pytest

from platewarden.policy.access import Role
from platewarden.services import devices
from platewarden.services.runtime import Runtime
from tests.factories import CUSTODIAN, T0
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]


def bearer(token: str) -> dict[str, str]:
    """Return the Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


def rows(*plates: str) -> list[dict[str, object]]:
    """Reads in our JSON fields."""
    return [
        {"read_id": f"r-{p}", "plate": p, "captured_at": T0.isoformat(), "confidence": 0.9}
        for p in plates
    ]


@pytest.fixture
def county(runtime: Runtime) -> str:
    """The token of a device that pushes the county's ALPR system's reads."""
    return devices.add_device(runtime, CUSTODIAN, name="county-feed", source="county")[1]


def test_a_batch_is_stored_once_however_often_it_is_sent(client: Client, county: str) -> None:
    first = client.post(
        "/api/v1/reads", headers=bearer(county), json={"reads": rows("ABC123", "XYZ789")}
    )
    assert first.status_code == 201, first.text
    assert (first.json()["stored"], first.json()["duplicates"]) == (2, 0)
    again = client.post(
        "/api/v1/reads", headers=bearer(county), json={"reads": rows("ABC123", "XYZ789")}
    )
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, 2)


@pytest.mark.parametrize(
    ("bad", "told"),
    [
        ({"plate": 1234567}, "plate 1234567 is not text"),
        ({"captured_at": "yesterday"}, "is not an ISO 8601 time"),
        ({"image": "/etc/passwd"}, "a path to an image is taken only in a file's rows"),
        ("not an object", "is not an object"),
    ],
    ids=["plate a number", "time not ISO", "image path", "not an object"],
)
def test_one_bad_read_refuses_the_batch_naming_it(
    client: Client, county: str, bad: object, told: str
) -> None:
    batch: list[object] = list(rows("ABC123", "XYZ789"))
    batch[1] = {**rows("XYZ789")[0], **bad} if isinstance(bad, dict) else bad
    answer = client.post("/api/v1/reads", headers=bearer(county), json={"reads": batch})
    assert answer.status_code == 422, answer.text
    assert answer.json()["problems"][0]["where"] == "read 2"
    assert told in answer.json()["problems"][0]["message"]
    fine = client.post("/api/v1/reads", headers=bearer(county), json={"reads": rows("ABC123")})
    assert fine.json()["stored"] == 1, "the refused batch stored nothing"


def test_a_camera_device_pushes_for_its_own_camera_only(runtime: Runtime, client: Client) -> None:
    token = devices.add_device(runtime, CUSTODIAN, name="gate", camera="cam-1")[1]
    other = [{**rows("ABC123")[0], "camera": "cam-9"}]
    assert (
        client.post("/api/v1/reads", headers=bearer(token), json={"reads": other}).status_code
        == 422
    )
    stored = client.post("/api/v1/reads", headers=bearer(token), json={"reads": rows("ABC123")})
    assert stored.json()["stored"] == 1


def test_a_device_token_opens_nothing_else_and_a_member_token_pushes_nothing(
    runtime: Runtime, client: Client, county: str, logged_on: Logon
) -> None:
    for path in ("/api/v1/alerts", "/api/v1/session", "/api/v1/cameras", "/api/v1/policy"):
        assert client.get(path, headers=bearer(county)).status_code == 401, path
    officer = logged_on("ofc.lee", Role.OFFICER)
    refused = client.post("/api/v1/reads", headers=officer, json={"reads": rows("ABC123")})
    assert refused.status_code == 401
    devices.revoke_device(runtime, CUSTODIAN, name="county-feed")
    revoked = client.post("/api/v1/reads", headers=bearer(county), json={"reads": rows("ABC123")})
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["detail"]
