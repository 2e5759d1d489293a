"""Cameras over the API: when each was last heard from, and which have gone silent."""

from collections.abc import Callable

from platewarden.policy.access import Role
from platewarden.services import devices
from platewarden.services.runtime import Runtime
from tests.factories import CUSTODIAN, FixedClock, plate_image
from tests.functional.api.accounts import log_on_with_code
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]


def test_a_camera_is_online_after_a_frame_and_offline_once_silent_past_the_policy(
    runtime: Runtime, client: Client, clock: FixedClock, logged_on: Logon
) -> None:
    token = devices.add_device(runtime, CUSTODIAN, name="cam-1-unit", camera="cam-1")[1]
    admin = log_on_with_code(runtime, client, "adm", Role.ADMINISTRATOR)
    before = client.get("/api/v1/cameras", headers=admin).json()
    assert [(c["name"], c["last_seen_at"], c["offline"]) for c in before] == [
        ("cam-1", None, True)
    ], "a camera never heard from is offline"
    taken = clock.now()
    pushed = client.post(
        "/api/v1/frames",
        params={"frame_id": "f-1", "captured_at": taken.isoformat()},
        content=plate_image(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
    )
    assert pushed.status_code == 202, pushed.text
    clock.advance(minutes=runtime.policy.cameras.offline_after_minutes)
    (seen,) = client.get("/api/v1/cameras", headers=admin).json()
    assert (seen["last_seen_at"][:19], seen["offline"]) == (taken.isoformat()[:19], False)
    clock.advance(minutes=1)
    (silent,) = client.get("/api/v1/cameras", headers=admin).json()
    assert silent["offline"] is True
    officer = logged_on("ofc.lee", Role.OFFICER)
    refused = client.get("/api/v1/cameras", headers=officer)
    assert refused.status_code == 403
    assert "administrator" in refused.json()["detail"]


def test_an_administrator_adds_moves_and_retires_a_camera(
    runtime: Runtime, client: Client, logged_on: Logon
) -> None:
    admin = log_on_with_code(runtime, client, "adm", Role.ADMINISTRATOR)
    added = client.post(
        "/api/v1/cameras",
        headers=admin,
        json={"name": "north-gate", "location": "North gate", "latitude": 46.6, "longitude": -112},
    )
    assert added.status_code == 201, added.text
    moved = client.post(
        "/api/v1/cameras/placement", headers=admin, json={"name": "north-gate", "heading": 180}
    )
    assert (moved.json()["latitude"], moved.json()["heading"]) == (46.6, 180.0)
    # Tried: a latitude off the globe, and a camera that does not exist.
    off = client.post(
        "/api/v1/cameras/placement", headers=admin, json={"name": "north-gate", "latitude": 146.5}
    )
    assert off.status_code == 422 and off.headers["content-type"] == "application/problem+json"
    missing = client.post(
        "/api/v1/cameras/status", headers=admin, json={"name": "nowhere", "status": "retired"}
    )
    assert missing.status_code == 404
    retired = client.post(
        "/api/v1/cameras/status", headers=admin, json={"name": "north-gate", "status": "retired"}
    )
    assert retired.status_code == 204
    officer = logged_on("ofc.lee", Role.OFFICER)
    refused = client.post("/api/v1/cameras", headers=officer, json={"name": "rogue"})
    assert refused.status_code == 403 and "manage_cameras" in refused.json()["detail"]
