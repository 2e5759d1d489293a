"""In a real browser: log on with a second factor, a camera's frame becomes a live alert on an
officer's open page, the officer confirms it step by step, and an idle page locks."""

import threading
import time
from collections.abc import Iterator

import cv2
import httpx
import numpy as np
import pyotp
import pytest
from playwright.sync_api import Page, expect

from platewarden.jobs.worker import run_worker
from platewarden.policy.access import Role
from platewarden.services import devices, hotlists, members
from platewarden.services.runtime import Runtime
from platewarden.vision.pipeline import default_recognizer
from tests.factories import CUSTODIAN, PASSWORD, FixedClock, actor
from tests.functional.console.conftest import AddMember
from tests.unit.vision.synthetic import make_scene


def log_on(page: Page, username: str, code: str = "") -> None:
    """Log on through the form as a member would."""
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    if code:
        page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Log on").click()


def test_an_administrator_logs_on_with_the_second_factor(
    runtime: Runtime, browser_page: Page, add_member: AddMember, clock: FixedClock
) -> None:
    add_member("admin", Role.ADMINISTRATOR)
    secret = members.enroll_totp(runtime, actor(Role.ADMINISTRATOR), username="admin").secret
    log_on(browser_page, "admin")  # tried: no code
    expect(browser_page.locator("main .problem")).to_contain_text("wrong user name, password or")
    log_on(browser_page, "admin", pyotp.TOTP(secret).at(clock.now()))
    expect(browser_page.get_by_role("heading", level=1)).to_have_text("Good to see you, admin")
    expect(
        browser_page.get_by_role("navigation").get_by_role("link", name="Members")
    ).to_be_visible()


@pytest.fixture
def worker(runtime: Runtime) -> Iterator[None]:
    """A recognition worker beside the server, warmed up so the first frame is not a load."""
    reader = default_recognizer()
    reader.recognize(np.zeros((720, 1280, 3), np.uint8))
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(runtime, reader), kwargs={"stop": stop})
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)


def test_a_cameras_frame_becomes_a_live_alert_the_officer_confirms_step_by_step(
    runtime: Runtime,
    browser_page: Page,
    base_url: str,
    add_member: AddMember,
    worker: None,
) -> None:
    scene = make_scene(np.random.default_rng(11))
    hotlists.add_entry(
        runtime,
        actor(Role.ADMINISTRATOR),
        plate=scene.text,
        purpose="stolen_vehicle",
        case_number="24-001",
        notes="grey sedan",
    )
    token = devices.add_device(runtime, CUSTODIAN, name="cam-1-unit", camera="cam-1")[1]
    add_member("ofc", Role.OFFICER)
    page = browser_page
    log_on(page, "ofc")
    page.get_by_role("navigation").get_by_role("link", name="Alerts").click()
    expect(page.locator("[data-stream][data-connected=yes]")).to_have_count(1)

    posted = httpx.post(
        f"{base_url}/api/v1/frames",
        params={"frame_id": "f-1", "captured_at": runtime.clock.now().isoformat()},
        content=cv2.imencode(".jpg", scene.image)[1].tobytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
    )
    assert posted.status_code == 202, posted.text
    acknowledged = time.monotonic()
    item = page.locator(".alert-item").filter(has_text=scene.text)
    expect(item).to_be_visible(timeout=2_000)  # no reload: the stream brought it
    assert time.monotonic() - acknowledged < 2.0

    item.click()
    panel = page.locator("#alert-panel")
    expect(panel).to_contain_text("A hit is not reasonable suspicion")
    expect(panel.get_by_role("img", name="Captured plate")).to_be_visible()
    expect(panel).to_contain_text("grey sedan")
    # Confirmation by other means is not offered before the images are compared by eye ...
    expect(panel.get_by_role("button", name="Confirm the hit")).to_have_count(0)
    # ... and the server refuses it when sent anyway.
    alert_id = page.locator("[data-alert]").first.get_attribute("data-alert")
    skipped = page.evaluate(
        """async (id) => {
            const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
            const body = new URLSearchParams({how: "NCIC", answer: "valid", csrf_token: csrf});
            const answer = await fetch(`/alerts/${id}/other-confirmation`, {method: "POST", body});
            return [answer.status, await answer.text()];
        }""",
        alert_id,
    )
    assert skipped[0] == 422 and "compare the captured plate image" in skipped[1]

    panel.get_by_role("button", name="I compared the image").click()
    expect(panel).to_contain_text("visually confirmed")
    panel.get_by_label("Confirmed by").fill("NCIC")
    panel.get_by_label("What it answered").fill("entry valid, vehicle stolen")
    panel.get_by_role("button", name="Confirm the hit").click()
    expect(panel.locator(".status-badge")).to_have_text("confirmed")
    panel.get_by_label("Outcome").select_option("vehicle_recovered")
    panel.get_by_role("button", name="Record the outcome").click()
    expect(panel).to_contain_text("outcome by ofc")
    expect(panel.get_by_role("button", name="Record the outcome")).to_have_count(0)


def test_an_idle_page_locks_and_opens_again_with_the_password_keeping_the_page(
    browser_page: Page, add_member: AddMember, clock: FixedClock
) -> None:
    add_member("ofc", Role.OFFICER)
    page = browser_page
    log_on(page, "ofc")
    page.get_by_role("navigation").get_by_role("link", name="Alerts").click()
    expect(page.locator("[data-stream][data-connected=yes]")).to_have_count(1)
    clock.advance(minutes=31)  # the server's clock: the session is now idle past the policy
    lock = page.get_by_role("dialog", name="Locked")
    expect(lock).to_be_visible(timeout=5_000)
    lock.get_by_label("Password").fill("not my password")
    lock.get_by_role("button", name="Unlock").click()
    expect(lock).to_contain_text("wrong user name, password or second factor code")
    lock.get_by_label("Password").fill(PASSWORD)
    lock.get_by_role("button", name="Unlock").click()
    expect(lock).to_be_hidden()
    assert page.url.endswith("/alerts")  # the same page, not a log-on page
    expect(page.locator("[data-stream][data-connected=yes]")).to_have_count(1)


def test_an_officer_works_with_the_keyboard_alone(
    browser_page: Page, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    page = browser_page
    page.goto("/login")
    # The user name field takes the focus on arrival; the browser may give it a frame after load.
    expect(page.get_by_label("User name")).to_be_focused()
    page.keyboard.type("ofc")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, ofc")
    for _ in range(20):  # Tab through the page to the Alerts section and open it
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Alerts":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")


@pytest.mark.parametrize("size", [(768, 1024), (1366, 768)], ids=["tablet", "laptop"])
def test_the_pages_fit_a_tablet_and_a_laptop_without_sideways_scrolling(
    browser_page: Page, add_member: AddMember, size: tuple[int, int]
) -> None:
    add_member("ofc", Role.OFFICER, Role.INVESTIGATOR)
    page = browser_page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_on(page, "ofc")
    for path in ("/", "/alerts", "/search", "/hotlists"):
        page.goto(path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= size[0], f"{path} is {wide} px wide on a {size[0]} px screen"
