"""In a real browser: an administrator with a second factor adds a member on the members page,
and that member's first log-on asks for a password of their own before anything else."""

import pyotp
from playwright.sync_api import Page, expect

from platewarden.policy.access import Role
from platewarden.services import members
from platewarden.services.runtime import Runtime
from tests.factories import PASSWORD, FixedClock, actor
from tests.functional.console.conftest import AddMember

GIVEN = "Given-by-admin-1234"
OWN = "Mine-and-only-mine-5678"


def log_on(page: Page, username: str, password: str, code: str = "") -> None:
    """Log on through the form as a member would."""
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    if code:
        page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Log on").click()


def test_a_member_added_in_the_browser_must_choose_a_password_at_the_first_log_on(
    runtime: Runtime, browser_page: Page, add_member: AddMember, clock: FixedClock
) -> None:
    page = browser_page
    add_member("admin", Role.ADMINISTRATOR)
    secret = members.enroll_totp(runtime, actor(Role.ADMINISTRATOR), username="admin").secret
    log_on(page, "admin", PASSWORD, pyotp.TOTP(secret).at(clock.now()))
    page.get_by_role("navigation").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    page.get_by_label("User name", exact=True).fill("newbie")
    page.get_by_label("Full name").fill("Nora Newbie")
    page.get_by_label("Badge number (optional)").fill("B-207")
    page.get_by_label("First password (they must replace it)").fill(GIVEN)
    page.get_by_role("checkbox", name="officer").check()
    page.get_by_role("button", name="Add the member").click()
    expect(page.get_by_role("status")).to_contain_text("newbie is added")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nora Newbie")
    expect(page.locator("main dl").first).to_contain_text("must be replaced at the next log-on")
    page.get_by_role("button", name="Log off").click()

    log_on(page, "newbie", GIVEN)
    expect(page.locator("main")).to_contain_text("choose your own before you go on")
    page.get_by_label("Password you were given").fill(GIVEN)
    page.get_by_label("New password", exact=True).fill(OWN)
    page.get_by_label("New password again").fill(OWN)
    page.get_by_role("button", name="Set the password").click()
    log_on(page, "newbie", OWN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, newbie")
    expect(page.locator("main")).to_contain_text("not in force until your training is current")
