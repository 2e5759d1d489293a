"""The sharing pages without a browser: refusals, a request entered with its letter, and the
review by an administrator other than the one who entered it."""

import re
from collections.abc import Callable

import httpx

from platewarden.policy.access import Role
from platewarden.services.runtime import Runtime
from tests.functional.console.conftest import AddMember, csrf_of

LogOn = Callable[..., httpx.Client]
AdminConsole = Callable[..., httpx.Client]
LETTER = b"%PDF-1.4\n% the written request of the county sheriff\n"


def _enter(client: httpx.Client, runtime: Runtime, csrf: str, **extra: str) -> httpx.Response:
    data = {
        "agency": "County Sheriff",
        "agency_type": "law_enforcement",
        "requester": "Det. Brown",
        "requester_contact": "brown@sheriff.example",
        "purpose": runtime.policy.purposes[0].code,
        "case_number": "CS-2026-7",
        "received_on": "2026-05-30",
        "plates": "ABC1234, XYZ9876",
        "since": "2026-05-01",
        "until": "2026-05-31",
        "csrf_token": csrf,
        **extra,
    }
    return client.post(
        "/sharing", data=data, files={"letter": ("request.pdf", LETTER, "application/pdf")}
    )


def test_an_officer_is_neither_offered_nor_given_the_sharing_requests(
    client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    home = console("ofc").get("/")
    assert 'href="/sharing"' not in home.text
    assert client.get("/sharing").status_code == 403
    denied = client.post(
        "/sharing/1/approval", data={"reason": "x", "csrf_token": csrf_of(home.text)}
    )
    assert denied.status_code == 403


def test_an_untrained_administrator_is_refused_the_sharing_requests(
    client: httpx.Client, admin_console: AdminConsole
) -> None:
    admin_console("adm", trained=False)
    answer = client.get("/sharing")
    assert answer.status_code == 403 and "needs current training" in answer.text


def test_a_request_entered_with_its_letter_is_reviewed_by_another_administrator(
    runtime: Runtime, client: httpx.Client, admin_console: AdminConsole
) -> None:
    page = admin_console("clerk").get("/sharing")
    csrf = csrf_of(page.text)
    entered = _enter(client, runtime, csrf)
    assert entered.status_code == 200, entered.text
    assert "is on file" in entered.text and "ABC1234, XYZ9876" in entered.text
    assert "another administrator reviews it" in entered.text
    assert 'id="approve"' not in entered.text  # the one who entered it is not offered the review
    request_id = re.search(r"Sharing request (\d+)", entered.text)
    assert request_id
    base = f"/sharing/{request_id.group(1)}"
    letter = client.get(f"{base}/letter")
    assert letter.status_code == 200 and letter.content == LETTER
    assert letter.headers["content-type"] == "application/pdf"
    assert "sandbox" in letter.headers["content-security-policy"]
    own = client.post(f"{base}/approval", data={"reason": "fine", "csrf_token": csrf})
    assert own.status_code == 403 and "may not be the member who entered" in own.text
    page = admin_console("reviewer").get(base)
    csrf = csrf_of(page.text)
    assert 'id="approve"' in page.text and 'id="deny"' in page.text
    wider = client.post(
        f"{base}/approval", data={"reason": "ok", "plates": "OTHER1", "csrf_token": csrf}
    )
    assert wider.status_code == 422 and "did not ask for" in wider.text
    approved = client.post(
        f"{base}/approval", data={"reason": "case checked", "plates": "ABC1234", "csrf_token": csrf}
    )
    assert approved.status_code == 200, approved.text
    assert "is approved" in approved.text
    assert "Plates approved" in approved.text
    assert 'id="approve"' not in approved.text


def test_a_request_without_plates_or_window_is_refused_and_not_kept(
    runtime: Runtime, client: httpx.Client, admin_console: AdminConsole
) -> None:
    page = admin_console().get("/sharing")
    refused = _enter(client, runtime, csrf_of(page.text), plates="", since="", until="")
    assert refused.status_code == 422 and "never takes everything" in refused.text
    assert "No request is on file" in client.get("/sharing").text


def test_a_denial_needs_its_reason(
    runtime: Runtime, client: httpx.Client, admin_console: AdminConsole
) -> None:
    page = admin_console("clerk").get("/sharing")
    entered = _enter(client, runtime, csrf_of(page.text))
    request_id = re.search(r"Sharing request (\d+)", entered.text)
    assert request_id
    page = admin_console("reviewer").get("/sharing")
    csrf = csrf_of(page.text)
    base = f"/sharing/{request_id.group(1)}"
    assert client.post(f"{base}/denial", data={"reason": "", "csrf_token": csrf}).status_code == 422
    denied = client.post(f"{base}/denial", data={"reason": "no case shown", "csrf_token": csrf})
    assert "is denied" in denied.text and "no case shown" in denied.text
