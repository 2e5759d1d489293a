"""The audit pages without a browser: who is refused, filters posted, samples and findings."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pyotp
import pytest
from sqlalchemy import select

from platewarden.policy.access import Role
from platewarden.services import members, search
from platewarden.services.runtime import Runtime
from platewarden.services.search import SearchQuery
from platewarden.settings import Settings
from platewarden.store.schema import audit_log
from tests.factories import FixedClock, actor
from tests.functional.console.conftest import AddMember, csrf_of

LogOn = Callable[..., httpx.Client]
DETECTIVE = actor(Role.INVESTIGATOR, name="det-ruiz")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """A department six hours behind UTC in June: times typed and shown are Denver's."""
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, timezone="America/Denver"
    )


def log_on_auditor(runtime: Runtime, console: LogOn, clock: FixedClock, name: str) -> httpx.Client:
    """Log an auditor on with the second factor their role needs."""
    admin = actor(Role.ADMINISTRATOR, name="founder")
    secret = members.enroll_totp(runtime, admin, username=name).secret
    return console(name, pyotp.TOTP(secret).at(clock.now()))


def searched(runtime: Runtime, case: str = "26-0042") -> None:
    """An investigator's search, made through the search service."""
    query = SearchQuery(purpose="stolen_vehicle", case_number=case, plate="ABC123")
    search.search_reads(runtime, DETECTIVE, query)


def test_an_officer_is_refused_the_audit_trail_and_is_not_offered_it(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    home = console("ofc").get("/")
    assert 'href="/audit"' not in home.text
    page = client.get("/audit")
    assert page.status_code == 403
    assert "view_audit" in page.text and "Not allowed" in page.text
    csrf = csrf_of(home.text)
    for path, data in (
        ("/audit/records", {"case_number": "26-0042"}),
        ("/audit/verification", {}),
        ("/audit/anchor", {}),
        ("/audit/reviews", {"month": "2026-05", "size": "3"}),
    ):
        answer = client.post(path, data={**data, "csrf_token": csrf})
        assert answer.status_code == 403, path
    with runtime.engine.connect() as conn:
        kinds = list(conn.execute(select(audit_log.c.action, audit_log.c.outcome)))
    assert ("view_audit", "denied") in kinds and ("review_audit", "denied") in kinds
    assert not any(action.startswith("audit_") for action, _ in kinds)


def test_an_untrained_auditor_is_refused_the_trail_naming_the_training(
    runtime: Runtime,
    client: httpx.Client,
    console: LogOn,
    add_member: AddMember,
    clock: FixedClock,
) -> None:
    add_member("aud", Role.AUDITOR, trained=False)
    log_on_auditor(runtime, console, clock, "aud")
    answer = client.get("/audit")
    assert answer.status_code == 403
    assert "needs current training" in answer.text and "auditor" in answer.text
    assert client.get("/audit/reviews/1").status_code == 403


def test_an_auditor_finds_a_search_by_its_posted_case_and_pages_through_the_trail(
    runtime: Runtime,
    client: httpx.Client,
    console: LogOn,
    add_member: AddMember,
    clock: FixedClock,
) -> None:
    add_member("aud", Role.AUDITOR)
    searched(runtime, "26-0042")
    searched(runtime, "26-0099")
    page = log_on_auditor(runtime, console, clock, "aud").get("/audit")
    assert page.status_code == 200
    assert "26-0042" in page.text  # the last day's trail is shown at once
    assert 'value="2026-05-31T06:00"' in page.text  # a day before 12:00 UTC, in Denver
    csrf = csrf_of(page.text)
    denver = client.post(
        "/audit/records",
        data={"case_number": "26-0042", "until": "2026-06-01T06:01", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert "det-ruiz" in denver.text  # 06:01 in Denver is 12:01 UTC, after the search
    found = client.post(
        "/audit/records",
        data={"case_number": "26-0042", "action": "query_plate", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert found.status_code == 200
    assert "26-0042" in found.text and "26-0099" not in found.text and "det-ruiz" in found.text
    assert "26-0042" not in str(found.url)  # the case went in the body, never the URL
    for n in range(105):
        searched(runtime, f"26-{n:04d}")
    first = client.post(
        "/audit/records",
        data={"member": "det-ruiz", "outcome": "allowed", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert first.text.count("<tr class=") == 100
    after = first.text.split('name="after_id" value="')[1].split('"')[0]
    second = client.post(
        "/audit/records",
        data={"member": "det-ruiz", "outcome": "allowed", "after_id": after, "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert second.text.count("<tr class=") == 7  # 107 searches in all
    assert 'name="after_id"' not in second.text
    refused = client.post("/audit/records", data={"since": "yesterday", "csrf_token": csrf})
    assert refused.status_code == 422 and "since: give a date and time" in refused.text


def test_the_chain_is_verified_against_an_anchor_and_a_bad_anchor_is_refused(
    runtime: Runtime,
    client: httpx.Client,
    console: LogOn,
    add_member: AddMember,
    clock: FixedClock,
) -> None:
    add_member("sgt", Role.SUPERVISOR)
    csrf = csrf_of(console("sgt").get("/audit").text)
    htmx = {"HX-Request": "true"}
    taken = client.post("/audit/anchor", data={"csrf_token": csrf}, headers=htmx)
    assert "Anchor taken" in taken.text
    anchor = taken.text.split('<code class="anchor">')[1].split("<")[0]
    intact = client.post(
        "/audit/verification", data={"anchor": anchor, "csrf_token": csrf}, headers=htmx
    )
    assert "Audit trail intact" in intact.text and anchor in intact.text
    bad = client.post("/audit/verification", data={"anchor": "12:abc", "csrf_token": csrf})
    assert bad.status_code == 422 and "RECORD:HASH" in bad.text
    plain = client.post("/audit/verification", data={"csrf_token": csrf})
    assert plain.status_code == 200 and "<h1>Audit trail</h1>" in plain.text  # a page of its own


def test_a_supervisor_draws_a_monthly_sample_and_records_findings_but_not_on_their_own(
    runtime: Runtime,
    client: httpx.Client,
    console: LogOn,
    add_member: AddMember,
    clock: FixedClock,
) -> None:
    add_member("sgt", Role.SUPERVISOR, Role.INVESTIGATOR)
    now = clock.at
    clock.at = now - timedelta(days=3)  # in May, the month before the clock's June
    searched(runtime)
    search.search_reads(
        runtime,
        actor(Role.INVESTIGATOR, name="sgt"),
        SearchQuery(purpose="stolen_vehicle", case_number="26-7", plate="XYZ9"),
    )
    clock.at = now
    home = console("sgt").get("/")
    assert "<strong>0</strong> sampled searches to audit" in home.text
    csrf = csrf_of(home.text)
    page = client.get("/audit")
    assert 'value="2026-05"' in page.text  # last month is offered
    future = client.post("/audit/reviews", data={"month": "2026-06", "size": 5, "csrf_token": csrf})
    assert future.status_code == 422 and "in the future" in future.text
    drawn = client.post("/audit/reviews", data={"month": "2026-05", "size": 5, "csrf_token": csrf})
    assert drawn.status_code == 303
    review = client.get(drawn.headers["location"])
    assert "Sampled searches" in review.text and "Days with many searches" in review.text
    assert review.text.count('class="finding"') == 1  # their own search offers no form
    assert "Your own search" in review.text
    assert "<strong>1</strong> sampled searches to audit" in client.get("/").text
    form_of = review.text.split('class="finding"')[0].rsplit('hx-post="', 1)[1].split('"')[0]
    item = form_of.rsplit("/", 1)[1]
    unexplained = client.post(
        form_of, data={"finding": "not_justified", "csrf_token": csrf}, headers={"HX-Request": "1"}
    )
    assert unexplained.status_code == 422 and "say why" in unexplained.text
    done = client.post(
        form_of,
        data={"finding": "not_justified", "notes": "no vehicle in the case", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200 and f'id="item-{item}"' in done.text
    assert "not justified</strong> by sgt" in done.text
    assert "<strong>0</strong> sampled searches to audit" in client.get("/").text
    own = review.text.split("Your own search")[0].rsplit('id="item-', 1)[1].split('"')[0]
    review_id = drawn.headers["location"].rsplit("/", 1)[1]
    refused = client.post(
        f"/audit/reviews/{review_id}/items/{own}",
        data={"finding": "justified", "csrf_token": csrf},
    )
    assert refused.status_code == 422 and "is your own search" in refused.text
