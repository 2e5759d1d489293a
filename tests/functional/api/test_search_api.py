"""Search over the API: purpose and case in the body, pages by cursor, images decrypted on ask."""

from collections.abc import Callable

from platewarden.policy.access import Role
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store.audit import audit_entries
from tests.factories import CAMERA_FEED, new_read
from tests.functional.api.conftest import Client

Logon = Callable[..., dict[str, str]]


def test_an_investigator_pages_through_a_partial_plate_and_views_an_image(
    runtime: Runtime, client: Client, logged_on: Logon
) -> None:
    now = runtime.clock.now()
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [new_read(f"ABC12{n}", captured_at=now, with_images=True) for n in range(5)]
        + [new_read("XYZ999", captured_at=now)],
    )
    det = logged_on("det.roe", Role.INVESTIGATOR)
    query = {"purpose": "major_crime", "case_number": "26-117", "plate": "ABC1*", "limit": 3}
    first = client.post("/api/v1/search", headers=det, json=query)
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["reads"]) == 3 and page["next_cursor"]
    rest = client.post(
        "/api/v1/search", headers=det, json={**query, "after": page["next_cursor"]}
    ).json()
    plates = [r["plate"] for r in page["reads"] + rest["reads"]]
    assert sorted(plates) == [f"ABC12{n}" for n in range(5)]
    shown = client.post(
        "/api/v1/search/images",
        headers=det,
        json={
            "read_id": page["reads"][0]["id"],
            "which": "crop",
            "purpose": "major_crime",
            "case_number": "26-117",
        },
    )
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "image/png" and shown.content[:4] == b"\x89PNG"
    with runtime.engine.connect() as conn:
        cases = {e.case_number for _, e in audit_entries(conn) if e.actor == "det.roe"}
    assert "26-117" in cases


def test_a_search_without_purpose_or_by_an_officer_for_a_pattern_is_refused(
    client: Client, logged_on: Logon
) -> None:
    det = logged_on("det.roe", Role.INVESTIGATOR)
    missing = client.post("/api/v1/search", headers=det, json={"plate": "ABC123"})
    assert missing.status_code == 422
    assert {p["where"] for p in missing.json()["problems"]} == {"body.purpose", "body.case_number"}
    officer = logged_on("ofc.lee", Role.OFFICER)
    pattern = client.post(
        "/api/v1/search",
        headers=officer,
        json={"purpose": "major_crime", "case_number": "26-117", "plate": "ABC1*"},
    )
    assert pattern.status_code == 403
