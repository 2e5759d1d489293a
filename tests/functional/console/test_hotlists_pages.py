"""The hot-list page without a browser: officers view, only administrators manage."""

import re
from collections.abc import Callable

import httpx

from platewarden.policy.access import Role
from platewarden.services import hotlists
from platewarden.services.runtime import Runtime
from tests.factories import CUSTODIAN, FixedClock
from tests.functional.console.conftest import AddMember, csrf_of

LogOn = Callable[..., httpx.Client]
AdminConsole = Callable[..., httpx.Client]


def test_an_officer_sees_the_lists_status_but_no_management_and_is_refused_it(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember, clock: FixedClock
) -> None:
    hotlists.import_hotlist(
        runtime, CUSTODIAN, source="ncic", data=b"LIC,TYP\nSTL4411,stolen vehicle\n"
    )
    clock.advance(hours=runtime.policy.hotlists.max_age_hours + 1)
    add_member("ofc", Role.OFFICER)
    page = console("ofc").get("/hotlists")
    assert page.status_code == 200
    assert "ncic" in page.text and "STALE" in page.text
    assert "Enter a plate by hand" not in page.text and "Refresh" not in page.text
    csrf = csrf_of(page.text)
    refused = client.post(
        "/hotlists/entries",
        data={
            "plate": "AB?12",
            "purpose": "stolen_vehicle",
            "case_number": "C1",
            "csrf_token": csrf,
        },
    )
    assert refused.status_code == 403 and "manage_hotlists" in refused.text
    assert client.post("/hotlists/refresh", data={"csrf_token": csrf}).status_code == 403


def test_an_untrained_officer_is_refused_the_hot_lists(
    client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("rookie", Role.OFFICER, trained=False)
    answer = console("rookie").get("/hotlists")
    assert answer.status_code == 403
    assert "needs current training" in answer.text


def test_an_administrator_enters_a_partial_plate_and_removes_it_with_a_reason(
    runtime: Runtime, client: httpx.Client, admin_console: AdminConsole
) -> None:
    page = admin_console().get("/hotlists")
    csrf = csrf_of(page.text)
    purpose = runtime.policy.purposes[0].code
    added = client.post(
        "/hotlists/entries",
        data={
            "plate": "ab?12*",
            "purpose": purpose,
            "case_number": "2026-0042",
            "jurisdiction": "mt",
            "expires_on": "2026-07-01",
            "notes": "witness saw the first letters",
            "confidential": "true",
            "csrf_token": csrf,
        },
    )
    assert added.status_code == 200, added.text
    assert "is in force" in added.text
    assert "AB?12*" in added.text and "(partial)" in added.text and "CONFIDENTIAL" in added.text
    entry = re.search(r'action="/hotlists/entries/(\d+)/removal"', added.text)
    assert entry
    no_case = client.post(
        "/hotlists/entries",
        data={"plate": "??????", "purpose": purpose, "case_number": "C9", "csrf_token": csrf},
    )
    assert no_case.status_code == 422  # a pattern of wildcards alone matches anything
    removed = client.post(
        f"/hotlists/entries/{entry.group(1)}/removal",
        data={"reason": "vehicle recovered", "csrf_token": csrf},
    )
    assert removed.status_code == 200
    assert "No manual entry is in force" in removed.text
    again = client.post(
        f"/hotlists/entries/{entry.group(1)}/removal",
        data={"reason": "twice", "csrf_token": csrf},
    )
    assert again.status_code == 404
