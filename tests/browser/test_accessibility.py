"""Every console page a member can reach passes axe-core with no serious or critical violation,
by day and in night mode, at the laptop size the department uses."""

import os
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, Route

from platewarden.policy.access import Role
from platewarden.services import hotlists, members
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from tests.factories import CAMERA_FEED, CUSTODIAN, PASSWORD, FixedClock, actor, new_read
from tests.functional.console.conftest import AddMember

AXE = Path(
    os.environ.get(
        "PLATEWARDEN_AXE",
        Path(__file__).resolve().parents[2] / ".cache/axe/node_modules/axe-core/axe.min.js",
    )
)
EVERY_ROLE = (
    Role.OFFICER,
    Role.INVESTIGATOR,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
    Role.AUDITOR,
    Role.RECORDS_CUSTODIAN,
)
SERIOUS = ("serious", "critical")


@pytest.fixture
def axe_source() -> Path:
    """axe-core's script (`npm install --prefix .cache/axe axe-core`, as .ci/run does)."""
    if not AXE.exists():
        reason = f"axe-core is not at {AXE} (npm install --prefix .cache/axe axe-core@4.10.3)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return AXE


def violations(page: Page) -> list[str]:
    """Run axe-core on the page as it is; return its serious and critical violations."""
    page.add_script_tag(url="/__axe__/axe.min.js")  # same origin: the page's policy allows it
    found = page.evaluate("async () => (await window.axe.run(document)).violations")
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_has_a_serious_accessibility_violation(
    runtime: Runtime,
    browser_page: Page,
    add_member: AddMember,
    clock: FixedClock,
    axe_source: Path,
    scheme: str,
) -> None:
    page = browser_page
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.route(
        "**/__axe__/axe.min.js",
        lambda route: _serve(route, axe_source),
    )
    problems = {"/login": violations(_goto(page, "/login"))}
    add_member("every", *EVERY_ROLE)
    secret = members.enroll_totp(runtime, actor(Role.ADMINISTRATOR), username="every").secret
    page.get_by_label("User name").fill("every")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).at(clock.now()))
    page.get_by_role("button", name="Log on").click()
    page.wait_for_url("**/")
    links = page.get_by_role("navigation").get_by_role("link")
    paths = ["/", *(links.nth(i).get_attribute("href") or "" for i in range(links.count()))]
    paths.append(f"/alerts/{raise_alert(runtime)}")  # an alert with its images and steps
    assert len(paths) > 8, paths  # every section of the menu is visited
    for path in paths:
        problems[path] = violations(_goto(page, path))
    assert {p: v for p, v in problems.items() if v} == {}


def raise_alert(rt: Runtime) -> int:
    """A hit of a read with its images on a hot-list entry; return the alert's id."""
    data = b"LIC,LIS,TYP\nSTL4411,MT,stolen vehicle\n"
    hotlists.import_hotlist(rt, CUSTODIAN, source="ncic", data=data)
    read = new_read("STL4411", captured_at=rt.clock.now(), with_images=True)
    (alert_id,) = ingest_reads(rt, CAMERA_FEED, [read]).alerts
    return alert_id


def _goto(page: Page, path: str) -> Page:
    answer = page.goto(path)
    assert answer is not None and answer.status == 200, path
    return page


def _serve(route: Route, source: Path) -> None:
    route.fulfill(path=str(source), content_type="application/javascript")
