"""The members pages without a browser: who may manage members, and what each form does."""

import re
from collections.abc import Callable

import httpx
import pyotp
from sqlalchemy import select

from platewarden.policy.access import Role
from platewarden.services.runtime import Runtime
from platewarden.store.schema import audit_log
from tests.factories import PASSWORD, FixedClock
from tests.functional.console.conftest import AddMember, csrf_of

LogOn = Callable[..., httpx.Client]
AdminConsole = Callable[..., httpx.Client]
GIVEN = "Given-by-admin-1234"


def _member_id(page: str, username: str) -> str:
    found = re.search(rf'href="/members/(\d+)">{username}<', page)
    assert found, f"{username} is not listed"
    return found.group(1)


def test_an_officer_is_neither_offered_nor_given_the_members(
    client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    home = console("ofc").get("/")
    assert 'href="/members"' not in home.text
    answer = client.get("/members")
    assert answer.status_code == 403
    assert "manage_members" in answer.text
    added = client.post(
        "/members",
        data={
            "username": "sneaky",
            "full_name": "Sneaky",
            "password": GIVEN,
            "roles": "administrator",
            "csrf_token": csrf_of(home.text),
        },
    )
    assert added.status_code == 403


def test_an_untrained_administrator_is_refused_the_members_naming_the_training(
    runtime: Runtime, client: httpx.Client, admin_console: AdminConsole
) -> None:
    admin_console("adm", trained=False)
    answer = client.get("/members")
    assert answer.status_code == 403
    assert "needs current training" in answer.text
    with runtime.engine.connect() as conn:
        outcomes = list(conn.execute(select(audit_log.c.action, audit_log.c.outcome)))
    assert ("manage_members", "denied") in outcomes


def test_a_member_added_on_the_page_must_replace_the_given_password(
    client: httpx.Client, admin_console: AdminConsole
) -> None:
    page = admin_console().get("/members")
    assert page.status_code == 200
    added = client.post(
        "/members",
        data={
            "username": "newbie",
            "full_name": "New Officer",
            "password": GIVEN,
            "roles": ["officer", "investigator"],
            "csrf_token": csrf_of(page.text),
        },
    )
    assert added.status_code == 200, added.text
    assert "must be replaced at the next log-on" in added.text
    assert "investigator, officer" in added.text
    client.cookies.clear()
    form = client.get("/login")
    first = client.post(
        "/login", data={"username": "newbie", "password": GIVEN, "csrf_token": csrf_of(form.text)}
    )
    assert first.status_code == 200
    assert "choose your own before you go on" in first.text
    assert "pw_session" not in first.headers.get("set-cookie", "")


def test_a_bad_member_is_refused_with_its_problems_and_nothing_is_stored(
    client: httpx.Client, admin_console: AdminConsole
) -> None:
    page = admin_console().get("/members")
    answer = client.post(
        "/members",
        data={
            "username": "bad name!",
            "full_name": "X",
            "password": "short",
            "roles": "officer",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert answer.status_code == 422
    assert "username" in answer.text and "password" in answer.text
    assert "bad name!" not in client.get("/members").text.split("<h2", 2)[1]


def test_enrolment_shows_the_secret_once_as_an_inline_qr_code_that_logs_on(
    client: httpx.Client, admin_console: AdminConsole, add_member: AddMember, clock: FixedClock
) -> None:
    add_member("aud", Role.AUDITOR)
    page = admin_console().get("/members")
    member = _member_id(page.text, "aud")
    answer = client.post(
        f"/members/{member}/second-factor", data={"csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 200
    svg = re.search(r"<svg .*?</svg>", answer.text, re.S)
    assert svg and 'class="qr"' in svg.group(0)
    assert "style" not in svg.group(0) and "data:" not in svg.group(0)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', answer.text)
    assert secret
    assert secret.group(1) not in client.get(f"/members/{member}").text  # shown once
    client.cookies.clear()
    form = client.get("/login")
    logged = client.post(
        "/login",
        data={
            "username": "aud",
            "password": PASSWORD,
            "code": pyotp.TOTP(secret.group(1)).at(clock.now()),
            "csrf_token": csrf_of(form.text),
        },
    )
    assert logged.status_code == 303


def test_roles_training_grant_and_deactivation_from_the_member_page(
    runtime: Runtime, client: httpx.Client, admin_console: AdminConsole, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    page = admin_console().get("/members")
    member, csrf = _member_id(page.text, "ofc"), csrf_of(page.text)
    base = f"/members/{member}"
    roles = client.post(
        f"{base}/roles", data={"roles": ["officer", "investigator"], "csrf_token": csrf}
    )
    assert "The roles are changed" in roles.text
    course = runtime.policy.training.courses["investigator"]
    trained = client.post(
        f"{base}/training",
        data={
            "course": course,
            "completed_on": "2026-05-20",
            "expires_on": "2027-05-20",
            "csrf_token": csrf,
        },
    )
    assert trained.status_code == 200, trained.text
    assert "2027-05-20" in trained.text
    future = client.post(
        f"{base}/training",
        data={"course": course, "completed_on": "2030-01-01", "csrf_token": csrf},
    )
    assert future.status_code == 422 and "is in the future" in future.text
    granted = client.post(
        f"{base}/confidential-grant", data={"reason": "major crimes unit", "csrf_token": csrf}
    )
    assert "Confidential access is granted" in granted.text
    assert "Withdraw confidential access" in granted.text
    revoked = client.post(f"{base}/confidential-revocation", data={"csrf_token": csrf})
    assert "Grant confidential access" in revoked.text
    no_reason = client.post(f"{base}/deactivation", data={"reason": "", "csrf_token": csrf})
    assert no_reason.status_code == 422
    gone = client.post(f"{base}/deactivation", data={"reason": "left", "csrf_token": csrf})
    assert "The member is deactivated" in gone.text
    assert "Change the roles" not in gone.text  # nothing is offered for a deactivated member


def test_a_password_reset_on_the_page_forces_a_new_password(
    client: httpx.Client, admin_console: AdminConsole, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    page = admin_console().get("/members")
    member = _member_id(page.text, "ofc")
    reset = client.post(
        f"/members/{member}/password-reset",
        data={"new_password": GIVEN, "csrf_token": csrf_of(page.text)},
    )
    assert "The password is reset" in reset.text
    assert "must be replaced at the next log-on" in reset.text
