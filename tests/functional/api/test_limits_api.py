"""Rate limits on log-on and per device, and CORS closed unless the settings name origins."""

from pathlib import Path

import httpx
import pytest

from platewarden.services import devices
from platewarden.services.runtime import Runtime
from platewarden.settings import Settings
from tests.factories import CUSTODIAN, T0
from tests.functional.api.conftest import Client

CONSOLE = "https://console.example.org"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Settings of a fresh instance, with the values a test names (indirect parameter)."""
    values = getattr(request, "param", {})
    return Settings(data_dir=tmp_path / "data", database_url=database_url, **values)


def _is_rate_limited(answer: httpx.Response) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert 1 <= int(answer.headers["retry-after"]) <= 60


def test_the_eleventh_log_on_in_a_minute_is_refused_even_with_the_right_password(
    client: Client,
) -> None:
    for n in range(10):
        wrong = client.post("/api/v1/session", json={"username": f"u{n}", "password": "nope"})
        assert wrong.status_code == 401, "ten attempts from one address are answered"
    eleventh = client.post("/api/v1/session", json={"username": "u0", "password": "nope"})
    _is_rate_limited(eleventh)
    assert "log-on attempts" in eleventh.json()["detail"]


@pytest.mark.parametrize("settings", [{"logon_attempts_per_minute": 3}], indirect=True)
def test_one_user_name_is_limited_whatever_the_case(client: Client) -> None:
    for name in ("ofc.lee", "OFC.LEE", "Ofc.Lee"):
        assert (
            client.post("/api/v1/session", json={"username": name, "password": "nope"}).status_code
            == 401
        )
    _is_rate_limited(client.post("/api/v1/session", json={"username": "ofc.lee", "password": "x"}))


@pytest.mark.parametrize("settings", [{"device_requests_per_minute": 3}], indirect=True)
def test_a_device_over_its_rate_gets_429_and_another_device_is_served(
    runtime: Runtime, client: Client
) -> None:
    tokens = [
        devices.add_device(runtime, CUSTODIAN, name=f"feed-{n}", source=f"county-{n}")[1]
        for n in range(2)
    ]
    body = {"reads": [{"read_id": "r1", "plate": "ABC123", "captured_at": T0.isoformat()}]}
    first = {"Authorization": f"Bearer {tokens[0]}"}
    for _ in range(3):
        assert client.post("/api/v1/reads", headers=first, json=body).status_code == 201
    _is_rate_limited(client.post("/api/v1/reads", headers=first, json=body))
    frame = client.post(
        "/api/v1/frames",
        headers={**first, "Content-Type": "image/jpeg"},
        params={"frame_id": "f1", "captured_at": T0.isoformat()},
        content=b"\xff\xd8",
    )
    _is_rate_limited(frame)
    second = {"Authorization": f"Bearer {tokens[1]}"}
    assert client.post("/api/v1/reads", headers=second, json=body).status_code == 201


def test_cors_is_closed_unless_configured(client: Client) -> None:
    preflight = client.options(
        "/api/v1/session",
        headers={"Origin": CONSOLE, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    answer = client.get("/api/v1/session", headers={"Origin": CONSOLE})
    assert "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize("settings", [{"cors_origins": (CONSOLE,)}], indirect=True)
def test_cors_lets_a_configured_origin_in_and_no_other(client: Client) -> None:
    preflight = client.options(
        "/api/v1/session",
        headers={
            "Origin": CONSOLE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == CONSOLE
    assert (
        client.get("/api/v1/session", headers={"Origin": CONSOLE}).headers[
            "access-control-allow-origin"
        ]
        == CONSOLE
    )
    other = client.get("/api/v1/session", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in other.headers
