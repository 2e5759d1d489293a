"""Search: a purpose and a case every time, a shape that fits the purpose, no pattern that dumps."""

from datetime import timedelta

import pytest
from tests.factories import CAMERA_FEED, CUSTODIAN, T0, member, new_read

from platewarden.domain import CameraKind
from platewarden.policy.access import Role
from platewarden.services import cameras
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.search import SearchQuery, read_image, search_reads
from platewarden.store.audit import audit_entries


@pytest.fixture
def stored(runtime: Runtime) -> Runtime:
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [
            new_read("ABC1234", with_images=True),
            new_read("ABC1284"),
            new_read("A8C1234", alternatives=()),
            new_read("XYZ9999", latitude=46.70, longitude=-112.03),
            new_read("KLM5555", captured_at=T0 - timedelta(days=3)),
        ],
    )
    return runtime


def plates(result) -> list[str]:
    return sorted(r.plate for r in result.reads)


def test_officer_looks_up_a_full_plate_and_it_is_audited(stored: Runtime) -> None:
    officer = member(stored, "o1", Role.OFFICER)
    result = search_reads(
        stored, officer, SearchQuery("stolen_vehicle", "26-100", plate="abc-1234")
    )
    assert plates(result) == ["ABC1234"]
    with stored.engine.connect() as conn:
        (entry,) = [e for _, e in audit_entries(conn, action="query_plate")]
    assert (entry.actor, entry.purpose, entry.case_number, entry.result_count) == (
        "o1",
        "stolen_vehicle",
        "26-100",
        1,
    )
    assert entry.parameters["plate"] == "abc-1234"


def test_partial_and_look_alike_searches_are_for_investigators(stored: Runtime) -> None:
    officer = member(stored, "o2", Role.OFFICER)
    with pytest.raises(
        AccessDeniedError, match="search_history needs one of the roles investigator"
    ):
        search_reads(stored, officer, SearchQuery("major_crime", "26-7", plate="ABC*"))
    detective = member(stored, "d1", Role.INVESTIGATOR)
    assert plates(
        search_reads(stored, detective, SearchQuery("major_crime", "26-7", plate="ABC12?4"))
    ) == ["ABC1234", "ABC1284"]
    looks = search_reads(
        stored,
        detective,
        SearchQuery("stolen_vehicle", "26-7", plate="ABC1234", ocr_equivalent=True),
    )
    assert plates(looks) == ["A8C1234", "ABC1234"]


def test_area_canvass_needs_place_radius_and_window(stored: Runtime) -> None:
    detective = member(stored, "d2", Role.INVESTIGATOR)
    near = SearchQuery(
        "recent_crime_vicinity",
        "26-8",
        latitude=46.59,
        longitude=-112.03,
        radius_m=300,
        since=T0 - timedelta(hours=2),
        until=T0 + timedelta(hours=1),
    )
    assert plates(search_reads(stored, detective, near)) == ["A8C1234", "ABC1234", "ABC1284"]
    with pytest.raises(AccessDeniedError, match="needs a place, a radius and a time window"):
        search_reads(
            stored,
            detective,
            SearchQuery(
                "recent_crime_vicinity", "26-8", latitude=46.59, longitude=-112.03, radius_m=300
            ),
        )
    wide = SearchQuery(
        "recent_crime_vicinity",
        "26-8",
        latitude=46.59,
        longitude=-112.03,
        radius_m=300,
        since=T0 - timedelta(days=30),
        until=T0,
    )
    with pytest.raises(AccessDeniedError, match="at most 7 days"):
        search_reads(stored, detective, wide)


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [
        (
            SearchQuery("", "26-1", plate="ABC1234"),
            AccessDeniedError,
            "a purpose of use is required",
        ),
        (
            SearchQuery("stolen_vehicle", "", plate="ABC1234"),
            AccessDeniedError,
            "a case number is required",
        ),
        (SearchQuery("curiosity", "26-1", plate="ABC1234"), AccessDeniedError, "unknown purpose"),
        (SearchQuery("major_crime", "26-1", plate="*"), InvalidInputError, "plate"),
        (SearchQuery("major_crime", "26-1", plate="A*"), InvalidInputError, "plate"),
        (SearchQuery("major_crime", "26-1", plate="' OR 1=1 --"), InvalidInputError, "plate"),
        (
            SearchQuery("stolen_vehicle", "26-1", latitude=46.5, longitude=-112.0, radius_m=100),
            AccessDeniedError,
            "must name the plate",
        ),
        (SearchQuery("major_crime", "26-1"), AccessDeniedError, "never returns every read"),
    ],
)
def test_searches_that_could_not_be_lawful_are_refused(
    stored: Runtime, query, error, message
) -> None:
    detective = member(stored, "d3", Role.INVESTIGATOR)
    with pytest.raises(error, match=message):
        search_reads(stored, detective, query)
    with stored.engine.connect() as conn:
        entries = [e for _, e in audit_entries(conn) if e.actor == "d3" and e.action != "logon"]
    assert [e.outcome for e in entries] in (["denied"], ["refused"])  # on the record too


def test_viewing_an_image_is_an_audited_access(stored: Runtime) -> None:
    detective = member(stored, "d4", Role.INVESTIGATOR)
    (read,) = search_reads(
        stored, detective, SearchQuery("stolen_vehicle", "26-9", plate="ABC1234")
    ).reads
    crop = read_image(
        stored,
        detective,
        read_id=read.id,
        which="crop",
        purpose="stolen_vehicle",
        case_number="26-9",
    )
    assert crop.startswith(b"\x89PNG")
    with stored.engine.connect() as conn:
        (view,) = [e for _, e in audit_entries(conn, action="view_image")]
    assert view.parameters == {"read": read.id, "image": "crop"}


def test_an_area_search_finds_a_fixed_cameras_reads_sent_without_a_position(
    runtime: Runtime,
) -> None:
    cameras.add_camera(
        runtime, CUSTODIAN, name="gate", kind=CameraKind.FIXED, latitude=46.61, longitude=-112.05
    )
    cameras.add_camera(runtime, CUSTODIAN, name="unit-9", kind=CameraKind.MOBILE)
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [
            new_read("GTE1001", camera="gate", latitude=None, longitude=None),
            new_read("GTE1002", camera="gate", latitude=46.70, longitude=-112.03),  # its own
            new_read("CAR2002", camera="unit-9", latitude=None, longitude=None),
        ],
    )
    near_gate = SearchQuery(
        "recent_crime_vicinity",
        "26-9",
        latitude=46.61,
        longitude=-112.05,
        radius_m=200,
        since=T0 - timedelta(hours=1),
        until=T0 + timedelta(hours=1),
    )
    detective = member(runtime, "d9", Role.INVESTIGATOR)
    assert plates(search_reads(runtime, detective, near_gate)) == ["GTE1001"]
