"""Members log on over the API with the same rules as at the console; errors are problem+json."""

from collections.abc import Callable

from platewarden.policy.access import Role
from tests.factories import PASSWORD
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]


def test_a_member_logs_on_sees_their_roles_and_logs_off(client: Client, logged_on: Logon) -> None:
    auth = logged_on("ofc.lee", Role.OFFICER)
    me = client.get("/api/v1/session", headers=auth)
    assert me.status_code == 200
    assert me.json() == {"member": "ofc.lee", "roles": ["officer"], "untrained": {}}
    assert client.delete("/api/v1/session", headers=auth).status_code == 204
    after = client.get("/api/v1/session", headers=auth)
    assert after.status_code == 401
    assert after.headers["content-type"] == "application/problem+json"
    assert after.json()["type"] == "urn:platewarden:problem:not_logged_on"


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(
    client: Client, logged_on: Logon
) -> None:
    logged_on("ofc.lee", Role.OFFICER)
    answers = [
        client.post("/api/v1/session", json={"username": name, "password": "not-it-at-all"})
        for name in ("ofc.lee", "nobody.here")
    ]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json()["detail"] == answers[1].json()["detail"]
    assert "wrong user name, password or second factor code" in answers[0].json()["detail"]


def test_no_token_a_made_up_token_and_a_malformed_body_are_problems(client: Client) -> None:
    assert client.get("/api/v1/alerts").status_code == 401
    made_up = client.get("/api/v1/alerts", headers={"Authorization": "Bearer made-up"})
    assert made_up.status_code == 401
    broken = client.post(
        "/api/v1/session", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.headers["content-type"] == "application/problem+json"
    missing = client.post("/api/v1/session", json={"username": "x"})
    assert missing.status_code == 422
    assert [p["where"] for p in missing.json()["problems"]] == ["body.password"]
    huge = client.post("/api/v1/session", json={"username": "x" * 100_000, "password": PASSWORD})
    assert huge.status_code == 422
    assert len(huge.text) < 2000, "a refusal does not echo a 100,000-character value"


def test_every_answer_carries_the_security_headers(client: Client) -> None:
    answer = client.get("/api/v1/session")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert "server" not in answer.headers


def test_the_openapi_description_and_docs_are_served(client: Client) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/session" in spec["paths"]
    assert "/api/v1/alerts/{alert_id}/visual-confirmation" in spec["paths"]
    assert client.get("/api/docs").status_code == 200
