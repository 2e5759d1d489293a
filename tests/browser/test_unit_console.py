"""In a real browser, the car's console: an alert raised in the car appears on the officer's
open page with no reload, beside the hot-list copy's age, and the officer confirms it."""

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ARTEFACTS
from tests.browser.test_alerts import log_on
from tests.functional.unit.factories import Car


def test_an_alert_raised_in_the_car_appears_live_and_the_officer_confirms_it_there(
    chromium_browser: Browser, car: Car, request: pytest.FixtureRequest
) -> None:
    context = chromium_browser.new_context(
        base_url=car.url, viewport={"width": 1366, "height": 768}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_on(page, "ofc")
        expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")  # "/" opens them
        expect(page.locator("#unit-line")).to_contain_text("Unit unit-12")
        expect(page.locator("#unit-line")).to_contain_text("hot lists: 0 min old")
        expect(page.locator("[data-stream][data-connected=yes]")).to_have_count(1)

        car.raise_alert()  # as `unit run` reads the plate in another process
        item = page.locator(".alert-item").filter(has_text="STL4411")
        expect(item).to_be_visible(timeout=3_000)  # no reload: the stream brought it
        item.click()
        panel = page.locator("#alert-panel")
        expect(panel.get_by_role("img", name="Captured plate")).to_be_visible()
        expect(panel.get_by_role("img", name="Camera frame")).to_be_visible()
        expect(panel).to_contain_text("grey sedan")
        expect(panel.get_by_role("button", name="Confirm the hit")).to_have_count(0)
        panel.get_by_role("button", name="I compared the image").click()
        panel.get_by_label("Confirmed by").fill("dispatch")
        panel.get_by_label("What it answered").fill("stolen, confirmed")
        panel.get_by_role("button", name="Confirm the hit").click()
        expect(panel.locator(".status-badge")).to_have_text("confirmed")
        expect(panel.get_by_role("button", name="I compared the image")).to_have_count(0)
    finally:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()
