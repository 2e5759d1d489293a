"""The search and read pages without a browser: purpose and case first, crops a page at a
time, each image view audited, and the refusals of the service shown as pages."""

import re
from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select

from platewarden.domain import CameraKind
from platewarden.policy.access import Role
from platewarden.services import cameras
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store.schema import audit_log
from tests.factories import CAMERA_FEED, actor, new_read
from tests.functional.console.conftest import AddMember, csrf_of

LogOn = Callable[..., httpx.Client]
CASE = "26-117"


def stored_reads(rt: Runtime, count: int, *, images: bool = True) -> None:
    """Store reads of plates ABC100… at one of two placed cameras, with their images."""
    admin = actor(Role.ADMINISTRATOR)
    cameras.add_camera(
        rt, admin, name="pole-north", kind=CameraKind.FIXED, latitude=46.59, longitude=-112.03
    )
    cameras.add_camera(
        rt, admin, name="pole-south", kind=CameraKind.FIXED, latitude=46.60, longitude=-112.01
    )
    now = rt.clock.now()
    reads = [
        new_read(
            f"ABC{100 + n}",
            captured_at=now - timedelta(minutes=n),
            camera="pole-north",
            with_images=images,
        )
        for n in range(count)
    ]
    ingest_reads(rt, CAMERA_FEED, [*reads, new_read("XYZ999", captured_at=now)])


def audited(rt: Runtime, action: str) -> list[tuple[str, str | None, str | None]]:
    """Return (outcome, purpose, case) of each audit record of an action."""
    with rt.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.outcome, audit_log.c.purpose, audit_log.c.case_number).where(
                audit_log.c.action == action
            )
        )
        return [tuple(row) for row in rows]


def hidden_fields(form_html: str) -> dict[str, str]:
    """Return a form's hidden inputs."""
    pairs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form_html)
    return dict(pairs)


def test_a_search_with_purpose_and_case_shows_crops_a_page_at_a_time_each_view_audited(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    stored_reads(runtime, 30)
    add_member("det", Role.INVESTIGATOR)
    form = console("det").get("/search")
    assert form.status_code == 200
    assert "Plates near a recent crime" in form.text  # each purpose in words
    assert 'id="area-map"' in form.text and "pole-south" in form.text  # the cameras' map
    query = {
        "csrf_token": csrf_of(form.text),
        "purpose": "major_crime",
        "case_number": CASE,
        "plate": "ABC1*",
    }
    first = client.post("/search", data=query)
    assert first.status_code == 200, first.text
    assert first.text.count('src="data:image/png;base64,') == 24
    assert "Results, page 1" in first.text and "XYZ999" not in first.text
    pager = first.text[first.text.index('aria-label="Result pages"') :]
    assert "Previous page" not in pager
    following = hidden_fields(pager[: pager.index("Next page")])
    second = client.post("/search", data={**following, "csrf_token": query["csrf_token"]})
    assert second.status_code == 200, second.text
    assert "Results, page 2" in second.text
    assert second.text.count('src="data:image/png;base64,') == 6
    assert "Previous page" in second.text and "Next page" not in second.text
    views = audited(runtime, "view_image")
    assert len(views) == 30 and set(views) == {("allowed", "major_crime", CASE)}
    # The case and plate travel in bodies only: no link or form names them.
    for page in (first.text, second.text):
        targets = re.findall(r'(?:href|action|hx-post|hx-get)="([^"]*)"', page)
        assert not [t for t in targets if CASE in t or "ABC1" in t]


def test_an_htmx_search_answers_the_gallery_alone(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    stored_reads(runtime, 2)
    add_member("det", Role.INVESTIGATOR)
    csrf = csrf_of(console("det").get("/search").text)
    answer = client.post(
        "/search",
        data={"purpose": "stolen_vehicle", "case_number": CASE, "plate": "ABC100"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text and 'id="read-' in answer.text
    assert 'hx-swap-oob="true"' in answer.text  # clears an earlier refusal


def test_a_search_without_purpose_or_case_is_refused_by_the_service_and_recorded(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    stored_reads(runtime, 1)
    add_member("det", Role.INVESTIGATOR)
    csrf = csrf_of(console("det").get("/search").text)
    no_purpose = client.post("/search", data={"csrf_token": csrf, "plate": "ABC100"})
    assert no_purpose.status_code == 403
    assert "a purpose of use is required" in no_purpose.text
    no_case = client.post(
        "/search", data={"csrf_token": csrf, "purpose": "stolen_vehicle", "plate": "ABC100"}
    )
    assert no_case.status_code == 403
    assert "a case number is required" in no_case.text
    assert "ABC100" not in no_purpose.text + no_case.text  # nothing found was shown
    assert [o for o, _, _ in audited(runtime, "query_plate")] == ["denied", "denied"]


def test_a_search_whose_shape_does_not_fit_its_purpose_or_has_bad_fields_is_refused(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("det", Role.INVESTIGATOR)
    csrf = csrf_of(console("det").get("/search").text)
    base = {"csrf_token": csrf, "case_number": CASE}
    area = {"latitude": "46.59", "longitude": "-112.03", "radius_m": "300"}
    no_plate = client.post("/search", data={**base, **area, "purpose": "stolen_vehicle"})
    assert no_plate.status_code == 403 and "must name the plate" in no_plate.text
    bad = client.post(
        "/search",
        data={**base, "purpose": "major_crime", "latitude": "north", "longitude": "2"},
    )
    assert bad.status_code == 422 and "latitude: is not a number" in bad.text
    far = client.post(
        "/search",
        data={
            **base,
            "purpose": "major_crime",
            "latitude": "95",
            "longitude": "2",
            "radius_m": "9",
        },
    )
    assert far.status_code == 422 and "latitude: must be from -90 to 90" in far.text


def test_members_without_a_search_role_in_force_are_refused_the_search_and_reads(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("keeper", Role.RECORDS_CUSTODIAN)
    add_member("rookie", Role.INVESTIGATOR, trained=False)
    for username, reason in (("keeper", "needs one of the roles"), ("rookie", "needs current")):
        page = console(username).get("/search")
        assert page.status_code == 403 and reason in page.text, username
        csrf = csrf_of(client.get("/").text)
        data = {"csrf_token": csrf, "purpose": "stolen_vehicle", "case_number": CASE}
        found = client.post("/search", data={**data, "plate": "ABC100"})
        assert found.status_code == 403, username
        assert client.get("/reads/1").status_code == 403, username
        assert client.post("/reads/1", data=data).status_code == 403, username


def test_a_read_opens_with_its_frame_for_the_purpose_and_case_asked_first(
    runtime: Runtime, client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    stored_reads(runtime, 1)
    add_member("det", Role.INVESTIGATOR)
    ask = console("det").get("/reads/1")
    assert ask.status_code == 200 and "ABC100" not in ask.text  # nothing shown before the why
    data = {"csrf_token": csrf_of(ask.text), "purpose": "stolen_vehicle", "case_number": CASE}
    shown = client.post("/reads/1", data=data)
    assert shown.status_code == 200, shown.text
    assert "ABC100" in shown.text and "Camera frame of read 1" in shown.text
    assert 'src="data:image/jpeg;base64,' in shown.text  # the frame
    assert audited(runtime, "view_read") == [("allowed", "stolen_vehicle", CASE)]
    assert len(audited(runtime, "view_image")) == 2  # the crop and the frame
    refused = client.post("/reads/1", data={**data, "case_number": ""})
    assert refused.status_code == 403 and "case number is required" in refused.text
    missing = client.post("/reads/999", data=data)
    assert missing.status_code == 404
