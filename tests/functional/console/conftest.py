"""The console on a real server, and members logged on through its form."""

import re
from collections.abc import Callable

import httpx
import pyotp
import pytest

from platewarden.policy.access import Role
from platewarden.services import members
from platewarden.services.runtime import Runtime
from tests.factories import PASSWORD, FixedClock, actor, enrol
from tests.functional.api.conftest import base_url, client  # noqa: F401  (fixtures)

AddMember = Callable[..., str]


@pytest.fixture
def add_member(runtime: Runtime) -> AddMember:
    """Add a member with roles (trained unless told); return the user name."""

    def make(username: str, *roles: Role, trained: bool = True) -> str:
        enrol(runtime, username, *roles, trained=trained)
        return username

    return make


def csrf_of(page_html: str) -> str:
    """Return the CSRF token a console page holds in its forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_html)
    assert found, "the page holds no CSRF token"
    return found.group(1)


@pytest.fixture
def console(client: httpx.Client) -> Callable[[str], httpx.Client]:  # noqa: F811
    """Log a member on through the console's form; return the client with their cookies."""

    def log_on(username: str, code: str = "") -> httpx.Client:
        client.cookies.clear()
        form = client.get("/login")
        answer = client.post(
            "/login",
            data={
                "username": username,
                "password": PASSWORD,
                "code": code,
                "csrf_token": csrf_of(form.text),
            },
        )
        assert answer.status_code == 303, answer.text
        return client

    return log_on


@pytest.fixture
def admin_console(
    runtime: Runtime,
    clock: FixedClock,
    add_member: AddMember,
    console: Callable[..., httpx.Client],
) -> Callable[..., httpx.Client]:
    """Add an administrator (trained unless told) with an authenticator; log them on."""

    def log_on(username: str = "adm", *, trained: bool = True) -> httpx.Client:
        add_member(username, Role.ADMINISTRATOR, trained=trained)
        founder = actor(Role.ADMINISTRATOR, name="founder")
        secret = members.enroll_totp(runtime, founder, username=username).secret
        return console(username, code=pyotp.TOTP(secret).at(clock.now()))

    return log_on
