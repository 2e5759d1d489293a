"""Live alerts: server-sent events of new alerts and their steps, resumable after a drop."""

import json
from collections.abc import Callable, Iterator

import httpx

from platewarden.policy.access import Role
from platewarden.services import hotlists
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from tests.factories import CAMERA_FEED, CUSTODIAN, new_read
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]


def events(response: httpx.Response) -> Iterator[tuple[str, str, dict[str, object]]]:
    """Yield (id, event, data) of each server-sent event as it arrives."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if "event" in fields:
                yield fields.get("id", ""), fields["event"], json.loads(fields.get("data", "{}"))
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            fields[name] = value


def hit(runtime: Runtime) -> int:
    """Raise a stolen-vehicle alert through ingest, as a camera's read would."""
    hotlists.import_hotlist(
        runtime, CUSTODIAN, source="ncic", data=b"LIC,LIS,TYP\nSTL4411,MT,stolen vehicle\n"
    )
    read = new_read("STL4411", captured_at=runtime.clock.now())
    (alert_id,) = ingest_reads(runtime, CAMERA_FEED, [read]).alerts
    return alert_id


def test_a_patrol_car_hears_a_hit_drops_and_resumes_without_missing_a_step(
    runtime: Runtime, client: Client, logged_on: Logon
) -> None:
    officer = logged_on("ofc.lee", Role.OFFICER)
    with client.stream("GET", "/api/v1/alerts/stream", headers=officer) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        heard = events(answer)
        _, first, _ = next(heard)
        assert first == "ready"
        alert_id = hit(runtime)
        last_id, event, data = next(heard)
        assert (event, data["change"]) == ("alert", "raised")
        assert data["alert"]["id"] == alert_id and data["alert"]["plate"] == "STL4411"
    # Out of signal: the alert is viewed and confirmed by eye meanwhile (from another car).
    partner = logged_on("ofc.diaz", Role.OFFICER)
    client.get(f"/api/v1/alerts/{alert_id}", headers=partner)
    client.post(f"/api/v1/alerts/{alert_id}/visual-confirmation", headers=partner)
    resumed = {**officer, "Last-Event-ID": last_id}
    with client.stream("GET", "/api/v1/alerts/stream", headers=resumed) as answer:
        heard = events(answer)
        missed = [next(heard)[2]["change"] for _ in range(2)]
    assert missed == ["viewed", "visual_confirmation"]


def test_a_member_who_may_not_see_alerts_gets_no_stream(client: Client, logged_on: Logon) -> None:
    auditor = logged_on("aud.kim", Role.INVESTIGATOR, trained=False)
    refused = client.get("/api/v1/alerts/stream", headers=auditor)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/alerts/stream").status_code == 401
