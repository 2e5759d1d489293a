"""In a real browser: an investigator's search without a purpose is refused and one with purpose
and case shows the gallery of crops; an area dragged on the cameras' map fills its fields."""

import pytest
from playwright.sync_api import Page, expect

from platewarden.domain import CameraKind
from platewarden.policy.access import Role
from platewarden.services import cameras
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from tests.browser.conftest import ARTEFACTS
from tests.factories import CAMERA_FEED, PASSWORD, actor, new_read
from tests.functional.console.conftest import AddMember


@pytest.fixture
def investigator(runtime: Runtime, browser_page: Page, add_member: AddMember) -> Page:
    """An investigator logged on, on the search page, with reads at two placed cameras."""
    admin = actor(Role.ADMINISTRATOR)
    for name, lat, lon in (("pole-north", 46.600, -112.040), ("pole-south", 46.580, -112.010)):
        cameras.add_camera(
            runtime, admin, name=name, kind=CameraKind.FIXED, latitude=lat, longitude=lon
        )
    reads = [new_read(f"ABC12{n}", camera="pole-north", with_images=True) for n in range(3)]
    ingest_reads(runtime, CAMERA_FEED, reads)
    add_member("det", Role.INVESTIGATOR)
    page = browser_page
    page.goto("/login")
    page.get_by_label("User name").fill("det")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log on").click()
    page.get_by_role("navigation").get_by_role("link", name="Search").click()
    return page


def test_a_search_without_a_purpose_is_refused_and_one_with_purpose_and_case_shows_crops(
    investigator: Page,
) -> None:
    page = investigator
    page.get_by_label("Plate").fill("ABC12*")
    page.get_by_role("button", name="Search", exact=True).click()
    refusal = page.locator("#flash")
    expect(refusal).to_contain_text("a purpose of use is required")
    expect(page.locator(".gallery")).to_have_count(0)
    page.get_by_label("Purpose of use").select_option(
        label="Homicide, shooting or other major crime"
    )
    page.get_by_label("Case number").fill("26-117")
    page.get_by_role("button", name="Search", exact=True).click()
    crops = page.locator(".gallery img")
    expect(crops).to_have_count(3)
    expect(refusal).to_be_empty()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "search-gallery.png"), full_page=True)
    assert "26-117" not in page.url and "ABC" not in page.url
    page.get_by_role("button", name="Plate of read 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Read 1")
    expect(page.get_by_alt_text("Camera frame of read 1")).to_be_visible()


def test_a_rectangle_dragged_on_the_map_becomes_the_searched_circle(investigator: Page) -> None:
    page = investigator
    box = page.locator("#area-map").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=5)
    page.mouse.up()
    radius = float(page.get_by_label("Radius in metres").input_value())
    latitude = float(page.get_by_label("Latitude of the centre").input_value())
    longitude = float(page.get_by_label("Longitude of the centre").input_value())
    assert 46.57 < latitude < 46.61 and -112.05 < longitude < -112.0
    assert 10 < radius < 5_000
    expect(page.locator("#area-circle")).to_have_attribute("visibility", "visible")
    page.get_by_role("button", name="Clear the area").click()
    expect(page.get_by_label("Radius in metres")).to_have_value("")
