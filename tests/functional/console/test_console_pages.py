"""The console's pages without a browser: who may open what, CSRF, cookies and headers."""

from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select

from platewarden.policy.access import Role
from platewarden.services import members
from platewarden.services.runtime import Runtime
from platewarden.store.schema import audit_log
from platewarden.web.pages.home import needs_now
from tests.factories import PASSWORD, FixedClock, actor
from tests.functional.console.conftest import AddMember, csrf_of

LogOn = Callable[..., httpx.Client]


def test_pages_send_a_browser_without_a_session_to_log_on(client: httpx.Client) -> None:
    for path in ("/", "/alerts", "/alerts/1"):
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/login"
    partial = client.get("/alerts/feed", headers={"HX-Request": "true"})
    assert partial.status_code == 401  # an open page shows its lock instead of leaving
    assert partial.headers["HX-Trigger"] == "platewarden-locked"


def test_log_on_sets_strict_http_only_cookies_and_pages_are_not_cached(
    client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    form = client.get("/login")
    csp = form.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "script-src" not in csp  # default-src 'self' only
    assert "default-src 'self'" in csp
    add_member("ofc", Role.OFFICER)
    answer = client.post(
        "/login", data={"username": "ofc", "password": PASSWORD, "csrf_token": csrf_of(form.text)}
    )
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("pw_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    home = client.get("/")
    assert home.status_code == 200
    assert home.headers["cache-control"] == "no-store"
    assert "ofc" in home.text


def test_a_wrong_password_is_refused_on_the_form_without_saying_which_part(
    client: httpx.Client, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    form = client.get("/login")
    answer = client.post(
        "/login", data={"username": "ofc", "password": "wrong", "csrf_token": csrf_of(form.text)}
    )
    assert answer.status_code == 401
    assert "wrong user name, password or second factor code" in answer.text
    assert "pw_session" not in answer.headers.get("set-cookie", "")


def test_a_change_without_the_pages_csrf_token_is_refused(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    console("ofc")
    # Tried: a log-off posted by another site (no token) and one with a made-up token.
    for data in ({}, {"csrf_token": "x" * 43}):
        answer = client.post("/logout", data=data)
        assert answer.status_code == 403
        assert "another site" in answer.text
    assert client.get("/").status_code == 200  # still logged on: nothing was done


def test_an_untrained_officer_is_refused_the_alerts_naming_the_training(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("rookie", Role.OFFICER, trained=False)
    console("rookie")
    home = client.get("/")
    assert "not in force until your training is current" in home.text
    assert 'href="/alerts"' not in home.text  # the menu offers no section the member cannot use
    answer = client.get("/alerts")
    assert answer.status_code == 403
    assert "needs current training" in answer.text
    with runtime.engine.connect() as conn:
        outcomes = list(conn.execute(select(audit_log.c.action, audit_log.c.outcome)))
    assert ("view_alerts", "denied") in outcomes


def test_a_role_without_the_permission_is_refused_a_step_of_an_alert(
    client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("det", Role.INVESTIGATOR)
    page = console("det").get("/alerts")
    answer = client.post(
        "/alerts/1/visual-confirmation",
        headers={"X-CSRF-Token": csrf_of(page.text), "HX-Request": "true"},
    )
    assert answer.status_code == 403
    assert "handle_alerts" in answer.text and "Not allowed" in answer.text


def test_a_reset_password_must_be_replaced_before_anything_else(
    runtime: Runtime, client: httpx.Client, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    founder = actor(Role.ADMINISTRATOR, name="founder")
    members.reset_password(runtime, founder, username="ofc", new_password="Given-by-admin-1234")
    form = client.get("/login")
    csrf = csrf_of(form.text)
    first = client.post(
        "/login", data={"username": "ofc", "password": "Given-by-admin-1234", "csrf_token": csrf}
    )
    assert first.status_code == 200
    assert "choose your own before you go on" in first.text
    assert "pw_session" not in first.headers.get("set-cookie", "")
    changed = client.post(
        "/password",
        data={
            "username": "ofc",
            "old_password": "Given-by-admin-1234",
            "new_password": "Mine-and-only-mine-5678",
            "repeated": "Mine-and-only-mine-5678",
            "csrf_token": csrf,
        },
    )
    assert changed.status_code == 303
    again = client.post(
        "/login",
        data={"username": "ofc", "password": "Mine-and-only-mine-5678", "csrf_token": csrf},
    )
    assert again.status_code == 303 and again.headers["location"] == "/"


def test_an_idle_session_is_locked_and_unlocked_with_the_password(
    client: httpx.Client, console: LogOn, add_member: AddMember, clock: FixedClock
) -> None:
    add_member("ofc", Role.OFFICER)
    page = console("ofc").get("/alerts")
    csrf = csrf_of(page.text)
    clock.advance(minutes=31)
    locked = client.get("/alerts/feed", headers={"HX-Request": "true"})
    assert locked.status_code == 401
    wrong = client.post("/unlock", data={"username": "ofc", "password": "nope", "csrf_token": csrf})
    assert wrong.status_code == 401
    unlocked = client.post(
        "/unlock", data={"username": "ofc", "password": PASSWORD, "csrf_token": csrf}
    )
    assert unlocked.status_code == 204
    assert client.get("/alerts/feed", headers={"HX-Request": "true"}).status_code == 200


def test_home_shows_a_members_own_courses_and_an_administrators_silent_cameras(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember, clock: FixedClock
) -> None:
    add_member("ofc", Role.OFFICER, trained=False)
    members.record_training(
        runtime,
        actor(Role.ADMINISTRATOR, name="founder"),
        username="ofc",
        course=runtime.policy.training.courses["officer"],
        completed_on=clock.now(),
        expires_on=clock.now() + timedelta(days=10),
    )
    home = console("ofc").get("/")
    assert runtime.policy.training.courses["officer"] in home.text
    assert "RENEW SOON" in home.text
    tasks = {t.what: t.count for t in needs_now(runtime, actor(Role.ADMINISTRATOR))}
    assert tasks["cameras in service gone silent (offline)"] == 1  # cam-1 never sent a frame
