"""In a real browser: an auditor, logged on with the second factor, finds an investigator's
search in the audit trail by its case number (posted, never in the URL) and checks the chain."""

import pyotp
from playwright.sync_api import Page, expect

from platewarden.policy.access import Role
from platewarden.services import members, search
from platewarden.services.runtime import Runtime
from platewarden.services.search import SearchQuery
from tests.factories import PASSWORD, FixedClock, actor
from tests.functional.console.conftest import AddMember


def test_an_auditor_finds_an_investigators_search_in_the_trail(
    runtime: Runtime, browser_page: Page, add_member: AddMember, clock: FixedClock
) -> None:
    add_member("aud", Role.AUDITOR)
    secret = members.enroll_totp(runtime, actor(Role.ADMINISTRATOR), username="aud").secret
    detective = actor(Role.INVESTIGATOR, name="det-ruiz")
    for case in ("26-0042", "26-0099"):
        query = SearchQuery(purpose="stolen_vehicle", case_number=case, plate="ABC123")
        search.search_reads(runtime, detective, query)

    page = browser_page
    page.goto("/login")
    page.get_by_label("User name").fill("aud")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).at(clock.now()))
    page.get_by_role("button", name="Log on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, aud")

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    page.get_by_label("Case number").fill("26-0042")
    page.get_by_label("Member").fill("det-ruiz")
    page.get_by_role("button", name="Show records").click()
    rows = page.locator("#trail tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("det-ruiz")
    expect(rows.first).to_contain_text("query_plate")
    expect(rows.first).to_contain_text("26-0042")
    assert "26-0042" not in page.url and "det-ruiz" not in page.url

    page.get_by_role("button", name="Verify the chain").click()
    expect(page.locator("#verification")).to_contain_text("Audit trail intact")
