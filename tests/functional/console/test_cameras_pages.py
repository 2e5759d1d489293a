"""The cameras pages without a browser: refusals, devices' tokens shown once, maintenance."""

import re
from collections.abc import Callable

import httpx

from platewarden.domain import CameraKind
from platewarden.policy.access import Role
from platewarden.services import cameras
from platewarden.services.runtime import Runtime
from tests.factories import FixedClock, actor
from tests.functional.console.conftest import AddMember, csrf_of

LogOn = Callable[..., httpx.Client]
AdminConsole = Callable[..., httpx.Client]


def test_an_officer_is_neither_offered_nor_given_the_cameras(
    client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    home = console("ofc").get("/")
    assert 'href="/cameras"' not in home.text
    assert client.get("/cameras").status_code == 403
    added = client.post(
        "/cameras", data={"name": "X", "kind": "fixed", "csrf_token": csrf_of(home.text)}
    )
    assert added.status_code == 403
    assert "manage_cameras" in added.text


def test_an_untrained_administrator_is_refused_the_cameras(
    client: httpx.Client, admin_console: AdminConsole
) -> None:
    admin_console("adm", trained=False)
    answer = client.get("/cameras")
    assert answer.status_code == 403
    assert "needs current training" in answer.text


def test_a_camera_added_with_its_position_is_listed_offline_until_heard_from(
    client: httpx.Client, admin_console: AdminConsole
) -> None:
    page = admin_console().get("/cameras")
    added = client.post(
        "/cameras",
        data={
            "name": "Main St north",
            "kind": "fixed",
            "location": "Main St and 5th",
            "latitude": "46.5891",
            "longitude": "-112.0391",
            "heading": "90",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert added.status_code == 200, added.text
    assert "Camera Main St north is added" in added.text
    assert "46.58910, -112.03910" in added.text
    assert "OFFLINE" in added.text  # in service and never heard from
    half = client.post(
        "/cameras",
        data={
            "name": "Half",
            "kind": "fixed",
            "latitude": "46.5",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert half.status_code == 422 and "needs both latitude and longitude" in half.text
    junk = client.post(
        "/cameras",
        data={"name": "Junk", "kind": "fixed", "heading": "east", "csrf_token": csrf_of(page.text)},
    )
    assert junk.status_code == 422 and "is not a number" in junk.text


def test_a_devices_token_is_shown_once_and_can_be_revoked(
    runtime: Runtime, client: httpx.Client, admin_console: AdminConsole
) -> None:
    cameras.add_camera(runtime, actor(Role.ADMINISTRATOR), name="Cam 1", kind=CameraKind.FIXED)
    page = admin_console().get("/cameras")
    csrf = csrf_of(page.text)
    added = client.post(
        "/cameras/devices", data={"name": "pole-1", "camera": "Cam 1", "csrf_token": csrf}
    )
    assert added.status_code == 200, added.text
    token = re.search(r'id="device-token">(pwd_[^<]+)<', added.text)
    assert token
    listed = client.get("/cameras")
    assert token.group(1) not in listed.text
    assert "camera Cam 1" in listed.text
    device = re.search(r'action="/cameras/devices/(\d+)/revocation"', listed.text)
    assert device
    revoked = client.post(
        f"/cameras/devices/{device.group(1)}/revocation", data={"csrf_token": csrf}
    )
    assert "is revoked" in revoked.text
    assert f"/cameras/devices/{device.group(1)}/revocation" not in revoked.text
    both = client.post(
        "/cameras/devices",
        data={"name": "x", "camera": "Cam 1", "source": "vendor", "csrf_token": csrf},
    )
    assert both.status_code == 422 and "not both" in both.text


def test_maintenance_and_calibrations_overdue_on_the_camera_page(
    runtime: Runtime, client: httpx.Client, admin_console: AdminConsole, clock: FixedClock
) -> None:
    camera = cameras.add_camera(
        runtime, actor(Role.ADMINISTRATOR), name="Cam 1", kind=CameraKind.FIXED
    )
    page = admin_console().get("/cameras")
    assert "never calibrated" in page.text
    csrf = csrf_of(page.text)
    first = client.post(
        f"/cameras/{camera.id}/maintenance",
        data={
            "kind": "calibration",
            "done_on": "2026-05-01",
            "performed_by": "Tech A",
            "csrf_token": csrf,
        },
    )
    assert first.status_code == 422 and "first calibration" in first.text
    done = client.post(
        f"/cameras/{camera.id}/maintenance",
        data={
            "kind": "calibration",
            "done_on": "2026-05-01",
            "performed_by": "Tech A",
            "next_due": "2026-05-20",
            "notes": "aligned",
            "csrf_token": csrf,
        },
    )
    assert done.status_code == 200, done.text
    assert "The calibration is recorded" in done.text and "aligned" in done.text
    listed = client.get("/cameras")
    assert "last calibrated" in listed.text  # due 2026-05-20, the clock is at 2026-06-01
    retired = client.post(
        f"/cameras/{camera.id}/status", data={"status": "retired", "csrf_token": csrf}
    )
    assert "is now retired" in retired.text
    overdue = client.get("/cameras").text.split('id="overdue-title"')[1].split("</section>")[0]
    assert "Cam 1" not in overdue and "cam-1" in overdue  # a retired camera is not due


def test_a_camera_is_moved_on_its_page_and_a_position_off_the_globe_is_refused(
    runtime: Runtime, client: httpx.Client, admin_console: AdminConsole
) -> None:
    admin_console("adm")
    camera_id = cameras.list_cameras(runtime, actor(Role.ADMINISTRATOR))[0].id
    page = client.get(f"/cameras/{camera_id}")
    moved = client.post(
        f"/cameras/{camera_id}/placement",
        data={"latitude": "46.5891", "longitude": "-112.0391", "csrf_token": csrf_of(page.text)},
    )
    assert moved.status_code == 200, moved.text
    assert "46.58910, -112.03910" in moved.text
    # Tried: a longitude typed where the latitude goes.
    refused = client.post(
        f"/cameras/{camera_id}/placement",
        data={"latitude": "146.5", "longitude": "46.5", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 422
    assert "latitude: 146.5 is not between -90 and 90" in refused.text
    (camera,) = cameras.list_cameras(runtime, actor(Role.ADMINISTRATOR))
    assert (camera.latitude, camera.location) == (46.5891, "Main St")  # nothing half-changed
