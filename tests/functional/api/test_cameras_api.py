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
