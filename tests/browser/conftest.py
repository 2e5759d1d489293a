"""Browser tests of the web console: Debian's chromium driven by Playwright, on a real server.

They run on SQLite; every page's refusals are tested on both databases without a browser
(tests/functional/console/). Screenshots are kept under test-artifacts/screenshots/.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from platewarden.settings import sqlite_url
from tests.functional.api.conftest import base_url, client  # noqa: F401  (fixtures)
from tests.functional.console.conftest import (  # noqa: F401  (fixtures)
    add_member,
    admin_console,
    console,
)
from tests.functional.unit.factories import car  # noqa: F401  (fixture)

CHROMIUM = Path(os.environ.get("PLATEWARDEN_CHROMIUM", "/usr/bin/chromium"))
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A SQLite database: the browser's path to the data is the same on both."""
    return sqlite_url(tmp_path)


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
