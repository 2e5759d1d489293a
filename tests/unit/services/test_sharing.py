"""Sharing (426.7): written requests, approval by someone else, exactly the approved scope out."""

from datetime import timedelta
from pathlib import Path

import pytest
from tests.factories import CAMERA_FEED, CUSTODIAN, T0, FixedClock, actor, new_read

from platewarden.domain import AgencyType, ShareStatus
from platewarden.policy.access import Role
from platewarden.selection import ReadSelection
from platewarden.services import purge, sharing
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.export import verify_export
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.search import SearchQuery, search_reads

CLERK = actor(Role.RECORDS_CUSTODIAN, name="clerk")
ADMIN = actor(Role.ADMINISTRATOR, name="alpr-admin")
LETTER = b"%PDF-1.4 written request from the county attorney"


def receive(rt: Runtime, scope: ReadSelection | None = None, **overrides: object):
    values: dict[str, object] = {
        "agency": "Lewis and Clark County Attorney",
        "agency_type": AgencyType.PROSECUTOR,
        "requester": "DCA M. Ortiz",
        "requester_contact": "mortiz@example.org",
        "purpose": "major_crime",
        "case_number": "DC-26-118",
        "scope": scope
        or ReadSelection(
            plates=("ABC1234", "XYZ9876"),
            since=T0 - timedelta(days=2),
            until=T0 + timedelta(days=1),
        ),
        "received_on": rt.clock.now(),
        "document": LETTER,
        "document_name": "request.pdf",
    }
    values.update(overrides)
    return sharing.receive_request(rt, CLERK, **values)  # type: ignore[arg-type]


@pytest.fixture
def reads(runtime: Runtime) -> Runtime:
    ingest_reads(
        runtime,
        CAMERA_FEED,
        [
            new_read("ABC1234", with_images=True),
            new_read("ABC1234", captured_at=T0 - timedelta(hours=1)),
            new_read("XYZ9876"),
            new_read("OTHER12"),
        ],
    )
    return runtime


def test_an_approved_request_releases_exactly_its_narrowed_scope(
    reads: Runtime, tmp_path: Path
) -> None:
    request = receive(reads)
    assert request.status == ShareStatus.PENDING
    narrowed = ReadSelection(
        plates=("ABC1234",), since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)
    )
    approved = sharing.decide(
        reads,
        ADMIN,
        request_id=request.id,
        approve=True,
        reason="lawful, scoped",
        narrowed=narrowed,
    )
    assert (approved.status, approved.reads_at_approval) == (ShareStatus.APPROVED, 2)
    done = sharing.fulfil(reads, CLERK, request_id=request.id, destination=tmp_path / "release")
    assert (done.status, done.reads_released, done.reads_no_longer_kept) == (
        ShareStatus.FULFILLED,
        2,
        0,
    )
    check = verify_export(tmp_path / "release")
    assert check.ok and check.manifest_sha256 == done.manifest_sha256
    custody = (tmp_path / "release" / "custody.json").read_text()
    assert "Lewis and Clark County Attorney" in custody and "alpr-admin" in custody
    assert sharing.request_document(reads, CLERK, request_id=request.id) == LETTER


def test_nothing_is_released_before_approval(reads: Runtime, tmp_path: Path) -> None:
    request = receive(reads)
    with pytest.raises(InvalidInputError, match="only an approved request is fulfilled"):
        sharing.fulfil(reads, CLERK, request_id=request.id, destination=tmp_path / "x")
    sharing.decide(reads, ADMIN, request_id=request.id, approve=False, reason="no relevance shown")
    with pytest.raises(InvalidInputError, match="this one is denied"):
        sharing.fulfil(reads, CLERK, request_id=request.id, destination=tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_the_reviewer_may_not_be_the_member_who_entered_it(reads: Runtime) -> None:
    both = actor(Role.ADMINISTRATOR, Role.RECORDS_CUSTODIAN, name="clerk")
    request = receive(reads)
    with pytest.raises(AccessDeniedError, match="may not be the member who entered the request"):
        sharing.decide(reads, both, request_id=request.id, approve=True, reason="ok")


def test_an_approval_may_narrow_but_never_widen(reads: Runtime) -> None:
    request = receive(reads)
    wider = ReadSelection(plates=("ABC1234", "NEW0001"), since=T0 - timedelta(days=9), until=T0)
    with pytest.raises(InvalidInputError) as refused:
        sharing.decide(
            reads, ADMIN, request_id=request.id, approve=True, reason="x", narrowed=wider
        )
    messages = [p.message for p in refused.value.problems]
    assert "holds plates the request did not ask for" in messages
    assert "starts before the window asked for" in messages


def test_an_agency_that_is_not_law_enforcement_is_referred(reads: Runtime, tmp_path: Path) -> None:
    request = receive(reads, agency="Acme Repossessions LLC", agency_type=AgencyType.OTHER)
    assert request.status == ShareStatus.REFERRED
    assert "records release" in (request.decision_reason or "")
    with pytest.raises(InvalidInputError, match="only a pending incoming request is decided"):
        sharing.decide(reads, ADMIN, request_id=request.id, approve=True, reason="x")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agency": ""}, "agency"),
        ({"requester": " "}, "requester"),
        ({"purpose": ""}, "purpose"),
        ({"purpose": "other_lawful"}, "law cited"),
        ({"scope": ReadSelection()}, "scope"),
    ],
)
def test_an_incomplete_request_is_refused_naming_the_field(
    reads: Runtime, overrides: dict, field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        receive(reads, **overrides)
    assert field in [p.where for p in refused.value.problems]


def test_fulfilment_says_how_many_reads_retention_removed(
    reads: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    request = receive(reads)
    sharing.decide(reads, ADMIN, request_id=request.id, approve=True, reason="ok")
    clock.advance(days=91)
    purge.purge(reads, CUSTODIAN)
    done = sharing.fulfil(reads, CLERK, request_id=request.id, destination=tmp_path / "late")
    assert (done.reads_released, done.reads_no_longer_kept) == (0, 3)


def test_a_response_to_our_own_request_comes_in_tagged(runtime: Runtime, tmp_path: Path) -> None:
    out = sharing.request_out(
        runtime,
        CLERK,
        agency="Wyoming Highway Patrol",
        requester="Det. Lee",
        requester_contact="x@y",
        purpose="stolen_vehicle",
        case_number="26-0042",
        scope=ReadSelection(plates=("KXT442",)),
        sent_on=runtime.clock.now(),
    )
    response = tmp_path / "whp.jsonl"
    response.write_text(
        f'{{"read_id": "w1", "plate": "KXT442", "captured_at": "{T0.isoformat()}"}}\n'
    )
    result = sharing.import_response(runtime, CLERK, request_id=out.id, file=response)
    assert result.stored == 1
    detective = actor(Role.INVESTIGATOR, name="det")
    (read,) = search_reads(
        runtime, detective, SearchQuery("stolen_vehicle", "26-0042", plate="KXT442")
    ).reads
    assert read.source_name == f"Wyoming Highway Patrol (request {out.id})"
