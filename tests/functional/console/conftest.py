"""The console on a real server: members, and a browser (Debian's chromium under Playwright)."""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from platewarden.policy.access import Role
from platewarden.services import members
from platewarden.services.runtime import Runtime
from tests.factories import PASSWORD, FixedClock, actor, enrol
from tests.functional.api.conftest import base_url, client  # noqa: F401  (fixtures)

CHROMIUM = Path(os.environ.get("PLATEWARDEN_CHROMIUM", "/usr/bin/chromium"))
ARTEFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"

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


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Debian's chromium under Playwright; skipped where it is missing, except on CI."""
    if not CHROMIUM.exists():
        reason = f"no chromium at {CHROMIUM} (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(
    chromium_browser: Browser,
    base_url: str,  # noqa: F811
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """A fresh browser tab on the console at 1366x768; its screenshot is kept after the test."""
    context = chromium_browser.new_context(
        base_url=base_url, viewport={"width": 1366, "height": 768}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
