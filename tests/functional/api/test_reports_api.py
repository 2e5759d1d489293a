"""The yearly report over the API: the PDF, the HTML page, or every file in a zip archive."""

import io
import zipfile
from collections.abc import Callable

from platewarden.policy.access import Role
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from tests.factories import CAMERA_FEED, new_read
from tests.functional.api.accounts import log_on_with_code
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]


def test_an_auditor_downloads_the_yearly_report(runtime: Runtime, client: Client) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("REP123")])
    year = runtime.clock.now().year
    auditor = log_on_with_code(runtime, client, "aud", Role.AUDITOR)
    pdf = client.get(f"/api/v1/reports/yearly/{year}/report.pdf", headers=auditor)
    assert pdf.status_code == 200, pdf.text
    assert (pdf.headers["content-type"], pdf.content[:5]) == ("application/pdf", b"%PDF-")
    html = client.get(
        f"/api/v1/reports/yearly/{year}/report.html",
        headers=auditor,
        params={"timezone": "America/Denver"},
    )
    assert html.headers["content-type"].startswith("text/html")
    assert f"ALPR yearly report {year}" in html.text
    every = client.get(f"/api/v1/reports/yearly/{year}/report.zip", headers=auditor)
    with zipfile.ZipFile(io.BytesIO(every.content)) as archive:
        names = set(archive.namelist())
    assert {"report.pdf", "report.html"} <= names
    assert any(n.endswith(".csv") for n in names) and any(n.endswith(".png") for n in names)
    page = client.get("/api/v1/reports/transparency/index.html", headers=auditor)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "REP123" not in page.text, "no plate on the public page"


def test_report_refusals_are_problems(runtime: Runtime, client: Client, logged_on: Logon) -> None:
    year = runtime.clock.now().year
    url = f"/api/v1/reports/yearly/{year}/report.pdf"
    assert client.get(url).status_code == 401
    officer = logged_on("ofc.lee", Role.OFFICER)
    refused = client.get(url, headers=officer)
    assert refused.status_code == 403
    assert "administrator" in refused.json()["detail"] or "auditor" in refused.json()["detail"]
    auditor = log_on_with_code(runtime, client, "aud", Role.AUDITOR)
    zone = client.get(url, headers=auditor, params={"timezone": "Mars/Olympus"})
    assert zone.status_code == 422
    assert "not a known time zone" in zone.json()["problems"][0]["message"]
    assert (
        client.get(f"/api/v1/reports/yearly/{year}/report.doc", headers=auditor).status_code == 422
    )
    assert (
        client.get(f"/api/v1/reports/yearly/{year + 5}/report.pdf", headers=auditor).status_code
        == 422
    )
