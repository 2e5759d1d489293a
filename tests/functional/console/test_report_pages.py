"""The report pages without a browser: who is refused, the tables shown, the files downloaded."""

import io
import zipfile
from collections.abc import Callable

import httpx
import pyotp

from platewarden.policy.access import Role
from platewarden.services import members
from platewarden.services.runtime import Runtime
from tests.factories import FixedClock, actor
from tests.functional.console.conftest import AddMember

LogOn = Callable[..., httpx.Client]
PATHS = (
    "/report",
    "/report/yearly/2026.pdf",
    "/report/yearly/2026.zip",
    "/report/transparency",
    "/report/transparency/index.html",
)


def with_code(runtime: Runtime, clock: FixedClock, name: str) -> str:
    """Enrol the member's second factor; return the code of the clock's time."""
    admin = actor(Role.ADMINISTRATOR, name="founder")
    return pyotp.TOTP(members.enroll_totp(runtime, admin, username=name).secret).at(clock.now())


def test_a_supervisor_is_refused_the_reports_and_is_not_offered_them(
    client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("sgt", Role.SUPERVISOR)
    home = console("sgt").get("/")
    assert 'href="/report"' not in home.text and 'href="/audit"' in home.text
    for path in PATHS:
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "view_reports" in answer.text


def test_an_untrained_auditor_is_refused_the_reports_naming_the_training(
    runtime: Runtime,
    client: httpx.Client,
    console: LogOn,
    add_member: AddMember,
    clock: FixedClock,
) -> None:
    add_member("aud", Role.AUDITOR, trained=False)
    console("aud", with_code(runtime, clock, "aud"))
    for path in PATHS:
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "needs current training" in answer.text


def test_an_auditor_reads_the_yearly_report_as_tables_and_downloads_its_files(
    runtime: Runtime,
    client: httpx.Client,
    console: LogOn,
    add_member: AddMember,
    clock: FixedClock,
) -> None:
    add_member("aud", Role.AUDITOR)
    console("aud", with_code(runtime, clock, "aud"))
    clock.advance(minutes=10)  # cam-1 was added at the clock's time: now it has a period
    page = client.get("/report")
    assert page.status_code == 200
    assert "ALPR yearly report 2026" in page.text and "the year is not over" in page.text
    assert '<h2 id="section-reads_by_month">Reads per month</h2>' in page.text
    assert "<td>cam-1</td>" in page.text  # the cameras' table
    assert client.get("/report", params={"year": 1969}).status_code == 422
    assert client.get("/report", params={"year": 2030}).status_code == 422  # not begun
    pdf = client.get("/report/yearly/2026.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="alpr-report-2026.pdf"' in pdf.headers["content-disposition"]
    files = zipfile.ZipFile(io.BytesIO(client.get("/report/yearly/2026.zip").content)).namelist()
    assert {"alpr-report-2026/report.html", "alpr-report-2026/cameras.csv"} <= set(files)


def test_an_administrator_sees_and_downloads_the_transparency_page(
    runtime: Runtime,
    client: httpx.Client,
    console: LogOn,
    add_member: AddMember,
    clock: FixedClock,
) -> None:
    add_member("admin", Role.ADMINISTRATOR)
    console("admin", with_code(runtime, clock, "admin"))
    page = client.get("/report/transparency")
    assert page.status_code == 200
    assert "The policy in brief" in page.text and "Stolen vehicle" in page.text
    published = client.get("/report/transparency/index.html")
    assert published.status_code == 200 and "attachment" in published.headers["content-disposition"]
    assert "License plate readers at the" in published.text
