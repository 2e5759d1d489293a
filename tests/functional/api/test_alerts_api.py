"""An officer handles a hit over the API exactly as at the console: by eye, then other means."""

import base64
from collections.abc import Callable

import pytest

from platewarden.policy.access import Role
from platewarden.services import hotlists
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from tests.factories import CAMERA_FEED, CUSTODIAN, new_read
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]


@pytest.fixture
def alert_id(runtime: Runtime) -> int:
    """A stolen-vehicle hit with its images."""
    hotlists.import_hotlist(
        runtime, CUSTODIAN, source="ncic", data=b"LIC,LIS,TYP\nSTL4411,MT,stolen vehicle\n"
    )
    result = ingest_reads(
        runtime,
        CAMERA_FEED,
        [new_read("STL4411", captured_at=runtime.clock.now(), with_images=True)],
    )
    (raised,) = result.alerts
    return raised


def test_an_officer_views_then_confirms_a_hit_by_eye_and_by_ncic(
    client: Client, logged_on: Logon, alert_id: int
) -> None:
    officer = logged_on("ofc.lee", Role.OFFICER)
    listed = client.get("/api/v1/alerts", headers=officer).json()
    assert [(a["id"], a["status"], a["plate"]) for a in listed] == [(alert_id, "new", "STL4411")]
    shown = client.get(f"/api/v1/alerts/{alert_id}", headers=officer).json()
    assert shown["alert"]["status"] == "viewed"
    assert shown["entry"]["plate"] == "STL4411"
    assert base64.b64decode(shown["crop_image"])[:4] == b"\x89PNG"
    early = client.post(
        f"/api/v1/alerts/{alert_id}/other-confirmation",
        json={"how": "NCIC", "answer": "valid, stolen 2026-05-30"},
        headers=officer,
    )
    assert early.status_code in (409, 422), early.text
    seen = client.post(f"/api/v1/alerts/{alert_id}/visual-confirmation", headers=officer)
    assert seen.status_code == 200, seen.text
    confirmed = client.post(
        f"/api/v1/alerts/{alert_id}/other-confirmation",
        json={"how": "NCIC", "answer": "valid, stolen 2026-05-30"},
        headers=officer,
    )
    assert confirmed.json()["status"] == "confirmed"


def test_a_role_without_the_permission_and_lapsed_training_are_403_naming_why(
    client: Client, logged_on: Logon, alert_id: int
) -> None:
    auditor = logged_on("aud.kim", Role.SUPERVISOR, trained=False)
    refused = client.post(f"/api/v1/alerts/{alert_id}/visual-confirmation", headers=auditor)
    assert refused.status_code == 403
    assert "needs current training" in refused.json()["detail"]
    assert "ALPR supervisor" in refused.json()["detail"]
    investigator = logged_on("det.roe", Role.INVESTIGATOR)
    denied = client.post(f"/api/v1/alerts/{alert_id}/visual-confirmation", headers=investigator)
    assert denied.status_code == 403
    assert "handle_alerts needs one of the roles" in denied.json()["detail"]


@pytest.mark.parametrize("number", ["0", "99999999999999999999", "2147483648", "x"])
def test_an_alert_number_no_column_holds_is_a_422(
    client: Client, logged_on: Logon, number: str
) -> None:
    officer = logged_on("ofc.lee", Role.OFFICER)
    answer = client.get(f"/api/v1/alerts/{number}", headers=officer)
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["where"] == "path.alert_id"


def test_a_missing_alert_is_a_404(client: Client, logged_on: Logon) -> None:
    officer = logged_on("ofc.lee", Role.OFFICER)
    assert client.get("/api/v1/alerts/77", headers=officer).status_code == 404
