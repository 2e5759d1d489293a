"""The yearly report (426.3) and the transparency page, on a year of activity with known counts."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from pypdf import PdfReader
from sqlalchemy import func, select
from tests.factories import CAMERA_FEED, CUSTODIAN, OFFICER, PASSWORD, FixedClock, actor, member
from tests.factories import new_read as make_read

from platewarden.accountability import Finding, MaintenanceKind
from platewarden.domain import (
    Actor,
    AgencyType,
    CameraKind,
    CameraStatus,
    HoldKind,
    Outcome,
    PreservationRequest,
    ReadSelection,
    RejectReason,
    ShareStatus,
)
from platewarden.policy.access import MACHINE_ROLES, PERMISSIONS, Action, Role
from platewarden.policy.model import DEFAULT_POLICY_FILE
from platewarden.services import (
    alerts,
    audit_review,
    auth,
    cameras,
    holds,
    hotlists,
    maintenance,
    members,
    policies,
    purge,
    report,
    report_render,
    report_sections,
    sharing,
)
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.search import SearchQuery, search_reads
from platewarden.store.schema import audit_log

DENVER = ZoneInfo("America/Denver")
YEAR = 2027
AUDITOR = actor(Role.AUDITOR, name="auditor")
HOTLIST = b"LIC,LIS,TYP\nSTL0001,MT,stolen vehicle\nWNT0002,MT,wanted person\n"
# Reads of cam-1 (m in month m) and cam-2 (two a month from March, none in July: out of service).
CAM1 = {m: m for m in range(1, 13)}
CAM2 = dict.fromkeys((3, 4, 5, 6, 8, 9, 10, 11, 12), 2)
# Hot-list hits by month (on cam-1): the plate, and what the officer did with the alert.
HITS = {
    2: ("STL0001", "confirm", 10, Outcome.VEHICLE_RECOVERED),
    4: ("STL0001", "confirm", 20, Outcome.ARREST),
    6: ("WNT0002", "confirm", 30, Outcome.STOP_MADE),
    8: ("WNT0002", "reject", RejectReason.MISREAD, None),
    10: ("STL0001", "reject", RejectReason.JURISDICTION_MISMATCH, None),
    11: ("WNT0002", "view", None, None),
    12: ("STL0001", "confirm", 60, Outcome.NO_ACTION),
}
HELD_MONTHS = {1, 3}  # a read of January (evidence) and of March (preservation) kept past retention
CASES = ("27-100", "27-200", "27-300", "27-400", "27-500")
SHARE_CASE = "DC-27-118"
PEOPLE = ("det-ruiz", "ofc-lee", "sgt-moss", "ofc-old", "ofc-gone")


def month_total(m: int) -> int:
    """Return the reads captured in month m: plain reads, hits and the folded repeat in December."""
    return CAM1[m] + CAM2.get(m, 0) + (m in HITS) + (m == 12)


def at(month: int, day: int, hour: int = 17, minute: int = 0) -> datetime:
    """Return a UTC time of 2027 (17:00 UTC is 10:00 or 11:00 in Montana)."""
    return datetime(YEAR, month, day, hour, minute, tzinfo=UTC)


def preservation() -> PreservationRequest:
    return PreservationRequest(
        requesting_agency="Lewis and Clark County Sheriff",
        requesting_person="Det. R. Jones",
        camera_locations="Main St",
        plate="A03000",
        time_frames="2027-03-10",
        facts="Vehicle seen leaving a burglary; ongoing investigation.",
    )


def search(rt: Runtime, who: Actor, purpose: str, case: str, **query: Any) -> None:
    search_reads(rt, who, SearchQuery(purpose=purpose, case_number=case, **query))


def handle(rt: Runtime, clock: FixedClock, officer: Actor, alert_id: int, month: int) -> None:
    """Do with the month's alert what HITS says, minutes after it was raised."""
    _, what, detail, outcome = HITS[month]
    raised = clock.now()
    if what == "view":
        alerts.view_alert(rt, officer, alert_id=alert_id)
    elif what == "reject":
        assert isinstance(detail, RejectReason)
        alerts.reject(rt, officer, alert_id=alert_id, reason=detail)
    else:
        assert isinstance(detail, int) and outcome is not None
        clock.advance(minutes=2)
        alerts.view_alert(rt, officer, alert_id=alert_id)
        alerts.confirm_visually(rt, officer, alert_id=alert_id)
        clock.at = raised + timedelta(minutes=detail)
        alerts.confirm_by_other_means(rt, officer, alert_id=alert_id, how="NCIC", answer="valid")
        alerts.record_outcome(rt, officer, alert_id=alert_id, outcome=outcome)


def seed_year(rt: Runtime, clock: FixedClock, tmp_path: Path) -> None:
    """Run a year of the department's activity through the services, month by month."""
    clock.at = at(1, 5)
    hotlists.import_hotlist(rt, CUSTODIAN, source="ncic", data=HOTLIST)
    det = member(rt, "det-ruiz", Role.INVESTIGATOR)
    lee = member(rt, "ofc-lee", Role.OFFICER)
    sgt = member(rt, "sgt-moss", Role.SUPERVISOR)
    old = member(rt, "ofc-old", Role.OFFICER, trained=False)
    member(rt, "ofc-gone", Role.OFFICER)
    with pytest.raises(auth.LogonError):
        auth.log_on(rt, username="ofc-lee", password=PASSWORD + "x")
    maintenance.add_maintenance(
        rt,
        CUSTODIAN,
        camera="cam-1",
        kind=MaintenanceKind.CALIBRATION,
        done_on=clock.now(),
        performed_by="Acme Optics",
        next_due=at(8, 1),
    )
    for month in range(1, 13):
        clock.at = at(month, 1)
        if month == 3:
            cameras.add_camera(rt, CUSTODIAN, name="cam-2", kind=CameraKind.MOBILE)
        if month == 6:
            members.deactivate(rt, CUSTODIAN, username="ofc-gone", reason="left the department")
            changed = DEFAULT_POLICY_FILE.read_text("utf-8").replace(
                'agency = "Police Department"', 'agency = "Helena Police Department"'
            )
            policies.apply_policy(
                rt,
                CUSTODIAN,
                changed,
                source="policy.toml",
                reason="the agency's full name",
                expected_version=rt.policy_version,
            )
        if month == 7:
            cameras.set_camera_status(
                rt, CUSTODIAN, name="cam-2", status=CameraStatus.OUT_OF_SERVICE
            )
        if month == 8:
            cameras.set_camera_status(rt, CUSTODIAN, name="cam-2", status=CameraStatus.ACTIVE)
        clock.at = at(month, 10)
        batch = [
            make_read(f"A{month:02d}{i:03d}", captured_at=clock.now()) for i in range(CAM1[month])
        ]
        batch += [
            make_read(f"B{month:02d}{i:03d}", captured_at=clock.now(), camera="cam-2")
            for i in range(CAM2.get(month, 0))
        ]
        ingest_reads(rt, CAMERA_FEED, batch)
        if month in HITS:
            plate = HITS[month][0]
            (alert_id,) = ingest_reads(
                rt, CAMERA_FEED, [make_read(plate, captured_at=clock.now())]
            ).alerts
            if month == 12:  # the same car three minutes later: folded into the open alert
                again = make_read(plate, captured_at=clock.now() + timedelta(minutes=3))
                assert not ingest_reads(rt, CAMERA_FEED, [again]).alerts
            handle(rt, clock, lee, alert_id, month)
        clock.at = at(month, 10, 19)
        month_searches(rt, month, det=det, lee=lee, old=old)
        month_holds(rt, month, det)
        if month == 7:
            maintenance.add_maintenance(
                rt,
                CUSTODIAN,
                camera="cam-2",
                kind=MaintenanceKind.REPAIR,
                done_on=clock.now(),
                performed_by="Acme Optics",
            )
        if month == 9:
            maintenance.add_maintenance(
                rt,
                CUSTODIAN,
                camera="cam-2",
                kind=MaintenanceKind.CALIBRATION,
                done_on=clock.now(),
                performed_by="Acme Optics",
                next_due=at(9, 1) + timedelta(days=365),
            )
        if month == 10:
            audit_year(rt, sgt)
        if month == 11:
            share(rt, tmp_path)
        clock.at = at(month, 20)
        if month >= 4:
            purge.purge(rt, CUSTODIAN)  # cutoff: the 20th-22nd of three months before


def month_searches(rt: Runtime, month: int, *, det: Actor, lee: Actor, old: Actor) -> None:
    """Searches with results 5, without 1, refused 3 (see the test's expected tallies)."""
    if month == 2:
        search(rt, lee, "stolen_vehicle", CASES[0], plate="STL0001")
    if month == 5:
        search(rt, lee, "stolen_vehicle", CASES[0], plate="ZZZ999")
        search(rt, det, "major_crime", CASES[1], plate="A05*")
        with pytest.raises(AccessDeniedError):
            search(rt, lee, "stolen_vehicle", CASES[0], plate="STL*")
    if month == 6:
        search(rt, det, "wanted_person", CASES[2], plate="WNT0002")
        with pytest.raises(AccessDeniedError):
            search(rt, old, "stolen_vehicle", CASES[0], plate="STL0001")
    if month == 9:
        search(
            rt,
            det,
            "recent_crime_vicinity",
            CASES[3],
            latitude=46.59,
            longitude=-112.03,
            radius_m=500.0,
            since=at(9, 9),
            until=at(9, 11),
        )
    if month == 12:
        search(rt, lee, "stolen_vehicle", CASES[0], plate="STL0001")
        with pytest.raises(AccessDeniedError):  # a made-up purpose: refused, and not a purpose
            search(rt, lee, "curiosity", CASES[0], plate="STL0001")


def month_holds(rt: Runtime, month: int, det: Actor) -> None:
    """Place an evidence hold in January, a preservation hold in March, a lawful order in
    November (released in December)."""
    kinds = {1: HoldKind.EVIDENCE, 3: HoldKind.PRESERVATION, 11: HoldKind.LAWFUL_ORDER}
    if month in kinds:
        holds.create_hold(
            rt,
            det if month == 1 else CUSTODIAN,
            kind=kinds[month],
            purpose="major_crime",
            case_number=CASES[4],
            reason="vehicle seen at a crime",
            selection=ReadSelection(plates=(f"A{month:02d}000",)),
            preservation=preservation() if month == 3 else None,
        )
    if month == 12:
        (hold,) = [h for h in holds.list_holds(rt, CUSTODIAN) if h.kind == HoldKind.LAWFUL_ORDER]
        holds.release_hold(rt, CUSTODIAN, hold_id=hold.id, reason="order lifted")


def share(rt: Runtime, tmp_path: Path) -> None:
    """Receive five requests (one referred, one left pending), decide, fulfil one; ask one out."""
    clerk = actor(Role.RECORDS_CUSTODIAN, name="clerk")
    admin = actor(Role.ADMINISTRATOR, name="alpr-admin")
    scope = ReadSelection(plates=("A11000",), since=at(11, 9), until=at(11, 11))
    kinds = (AgencyType.PROSECUTOR, *[AgencyType.LAW_ENFORCEMENT] * 3, AgencyType.OTHER)
    requests = [
        sharing.receive_request(
            rt,
            clerk,
            agency=f"Agency {n}",
            agency_type=kind,
            requester="Det. R. Jones",
            requester_contact="rjones@example.org",
            purpose="major_crime",
            case_number=SHARE_CASE,
            scope=scope,
            received_on=rt.clock.now(),
        )
        for n, kind in enumerate(kinds)
    ]
    fulfilled, approved, denied, _pending, referred = requests
    assert referred.status == ShareStatus.REFERRED
    for request in (fulfilled, approved):
        sharing.decide(rt, admin, request_id=request.id, approve=True, reason="in order")
    sharing.decide(rt, admin, request_id=denied.id, approve=False, reason="no case shown")
    sharing.fulfil(rt, clerk, request_id=fulfilled.id, destination=tmp_path / "released")
    sharing.request_out(
        rt,
        clerk,
        agency="State network",
        requester="Det. Ruiz",
        requester_contact="ruiz@example.org",
        purpose="major_crime",
        case_number=SHARE_CASE,
        scope=scope,
        sent_on=rt.clock.now(),
    )


def audit_year(rt: Runtime, sgt: Actor) -> None:
    """Sample three searches of the year so far; find two justified and one not; check the chain."""
    review = audit_review.sample_searches(rt, sgt, since=at(1, 1), until=at(10, 1), size=3, seed=7)
    findings = (Finding.JUSTIFIED, Finding.JUSTIFIED, Finding.NOT_JUSTIFIED)
    for item, finding in zip(review.items, findings, strict=True):
        audit_review.review_search(
            rt, sgt, review_id=review.id, item_id=item.id, finding=finding, notes="checked"
        )
    assert audit_review.verify_trail(rt, sgt) == []


@pytest.fixture
def year(runtime: Runtime, clock: FixedClock, tmp_path: Path) -> Runtime:
    """The instance after a year of activity; the clock stands at 20 December."""
    seed_year(runtime, clock, tmp_path)
    return runtime


def close_year(rt: Runtime, clock: FixedClock) -> report.YearlyReport:
    """Purge in January as every month (October's reads go), then make the report."""
    clock.at = datetime(YEAR + 1, 1, 20, 17, tzinfo=UTC)
    purge.purge(rt, CUSTODIAN)
    clock.at = datetime(YEAR + 1, 1, 25, 17, tzinfo=UTC)
    return report.yearly_report(rt, AUDITOR, year=YEAR, tz=DENVER)


def test_every_figure_of_the_year_matches_what_was_done(year: Runtime, clock: FixedClock) -> None:
    r = close_year(year, clock)
    start, end = datetime(YEAR, 1, 1, tzinfo=DENVER), datetime(YEAR + 1, 1, 1, tzinfo=DENVER)
    assert (r.start, r.end, r.complete, r.empty) == (start, end, True, False)
    assert r.agency == "Helena Police Department"
    retained = {m: month_total(m) if m >= 11 else int(m in HELD_MONTHS) for m in range(1, 13)}
    assert [(m.month, m.retained, m.purged) for m in r.reads_by_month] == [
        (f"{YEAR}-{m:02d}", retained[m], month_total(m) - retained[m]) for m in range(1, 13)
    ]
    assert r.reads == 104
    assert r.reads_by_camera == {"cam-1": 12 + 14 + 1 + 1, "cam-2": 4}
    cam1, cam2 = r.cameras
    assert (cam1.name, cam1.days_in_period, cam1.uptime, cam1.repairs) == ("cam-1", 365, 1.0, 0)
    cam2_days = (end - at(3, 1)).total_seconds() / 86400
    assert (cam2.name, cam2.kind, cam2.status_at_end, cam2.repairs) == (
        "cam-2",
        "mobile",
        "active",
        1,
    )
    assert cam2.days_in_period == pytest.approx(cam2_days)
    assert cam2.days_in_service == pytest.approx(cam2_days - 31)

    a = r.alerts
    assert (a.raised, a.hits, a.confirmed, a.rejected) == (7, 8, 4, 2)
    assert a.by_purpose == {"stolen_vehicle": 4, "wanted_person": 3}
    assert a.by_status == {"confirmed": 4, "rejected": 2, "viewed": 1}
    assert a.rejected_by_reason == {"jurisdiction_mismatch": 1, "misread": 1}
    assert sorted(a.confirmation_minutes) == [10, 20, 30, 60]
    assert (a.median_minutes, a.p90_minutes) == (25, 60)
    assert a.outcomes == {"arrest": 1, "no_action": 1, "stop_made": 1, "vehicle_recovered": 1}

    s = r.searches
    assert s.total == report.Tally(with_results=5, without_results=1, denied=3)
    assert list(s.by_purpose) == [p.code for p in year.policy.purposes]  # the policy's, in order
    assert {k: t for k, t in s.by_purpose.items() if t != report.Tally()} == {
        "major_crime": report.Tally(1, 0, 0),
        "recent_crime_vicinity": report.Tally(1, 0, 0),
        "stolen_vehicle": report.Tally(2, 1, 2),
        "wanted_person": report.Tally(1, 0, 0),
    }
    assert s.refused_without_lawful_purpose == 1  # "curiosity", counted apart
    assert s.by_role == {"investigator": report.Tally(3, 0, 0), "officer": report.Tally(2, 1, 3)}

    m = r.members
    assert (m.active, m.compliant, m.lapsed, m.logons, m.failed_logons) == (4, 3, 1, 5, 1)
    assert m.by_role == {"investigator": (1, 1), "officer": (2, 1), "supervisor": (1, 1)}
    assert r.audits == report.AuditFigures(
        reviews=1,
        closed=1,
        sampled=3,
        justified=2,
        not_justified=1,
        chain_checks=1,
        chain_failures=0,
        chain_head=r.audits.chain_head,
    )
    with year.engine.connect() as conn:  # the last record before the year's end, not the newest
        last = conn.execute(
            select(audit_log.c.id, audit_log.c.hash)
            .where(audit_log.c.at < end)
            .order_by(audit_log.c.id.desc())
            .limit(1)
        ).one()
        newest = conn.scalar(select(func.max(audit_log.c.id)))
    assert r.audits.chain_head == f"{last.id}:{last.hash}" and newest > last.id
    assert audit_review.verify_trail(year, AUDITOR, (last.id, last.hash)) == []
    assert r.sharing == report.SharingFigures(
        received=5,
        approved=2,
        denied=1,
        referred=1,
        fulfilled=1,
        pending=1,
        outgoing=1,
        by_agency_type={"law_enforcement": 3, "other": 1, "prosecutor": 1},
    )
    assert r.holds == report.HoldFigures(
        by_kind={"evidence": 1, "lawful_order": 1, "preservation": 1},
        reads_held=3,
        released=1,
        active_at_end=2,
        exports=0,
        exported_reads=0,
    )
    jan_to_sep = sum(month_total(m) for m in range(1, 10)) - len(HELD_MONTHS)
    assert (r.purges.runs, r.purges.reads_purged, r.purges.images_purged) == (9, jan_to_sep, 0)
    assert r.maintenance == report.MaintenanceFigures(
        done_by_kind={"calibration": 2, "repair": 1}, calibration_overdue=("cam-1",)
    )
    assert [(c.reason, c.retention_days) for c in r.policy_changes] == [
        ("the agency's full name", 90)
    ]


def test_the_report_is_written_as_html_pdf_charts_and_csv(
    year: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    r = close_year(year, clock)
    written = report_render.write_yearly(r, tmp_path / "out")
    names = {p.name for p in written}
    assert {"report.html", "report.pdf", "reads_by_month.png", "alerts.csv", "sharing.csv"} <= names
    assert all(p.stat().st_size > 0 for p in written)
    assert (tmp_path / "out" / "reads_by_month.csv").read_text().splitlines()[1] == (
        f"{YEAR}-01,1,0,1"
    )
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(tmp_path / "out/report.pdf").pages
    )
    assert "recorded 104 plate reads in 2027" in text
    assert "raised 7 alerts. Officers confirmed 4 and rejected 2" in text
    assert "median time from alert to confirmation was 25.0 min" in text
    assert "1 stop, 1 vehicle recovered and 1 arrest." in text
    assert "searched the data 6 times" in text
    assert "3 searches were refused (1 of them named no lawful purpose)" in text
    assert "made 5 requests for data: 2 approved, 1 denied, 1 referred" in text
    assert "9 purges removed 59 reads" in text
    secrets = ["STL0001", "WNT0002", "A12000", "B12000", SHARE_CASE, *CASES, *PEOPLE]
    assert [s for s in secrets if s in text] == []  # the Chief's report names no one either
    html = (tmp_path / "out" / "report.html").read_text()
    assert "recorded 104 plate reads in 2027" in html
    assert 'src="reads_by_month.png"' in html


def test_searches_by_purpose_show_the_policy_purposes_by_title_and_refusals_apart(
    year: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    r = close_year(year, clock)
    report_render.write_yearly(r, tmp_path)
    rows = (tmp_path / "searches_by_purpose.csv").read_text().splitlines()
    titles = [p.title for p in year.policy.purposes]
    assert [row.split(",")[0].strip('"') for row in rows[1:]] == [
        *(t.split(",")[0] for t in titles),
        "refused: no lawful purpose named",
    ]
    assert rows[1] == "Stolen vehicle,3,2,1,2"
    assert rows[-1] == "refused: no lawful purpose named,0,0,0,1"
    pdf = " ".join(page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages)
    html = (tmp_path / "report.html").read_text()
    for text in (pdf, html, *(p.read_text() for p in tmp_path.glob("*.csv"))):
        assert "curiosity" not in text
        assert "stolen_vehicle" not in text  # purposes by their titles, not their codes


def test_page_one_carries_the_summary_and_the_first_sections(
    year: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    report_render.write_yearly(close_year(year, clock), tmp_path)
    first = " ".join(PdfReader(tmp_path / "report.pdf").pages[0].extract_text().split())
    assert "Summary" in first
    assert "Cameras in service and their uptime" in first
    assert "Reads per month" in first


def test_chart_legends_sit_outside_the_bars(year: Runtime, clock: FixedClock) -> None:
    charts = [s.chart for s in report_sections.sections(close_year(year, clock)) if s.chart]
    stacked = [c for c in charts if len(c.series) > 1]
    assert {c.file for c in stacked} >= {"reads_by_month.png", "searches_by_purpose.png"}
    for chart in stacked:
        figure = report_render.chart_figure(chart)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()  # lays the figure out as savefig does
        renderer = canvas.get_renderer()
        (legend,) = figure.legends
        (axes,) = figure.axes
        box = legend.get_window_extent(renderer)
        assert not box.overlaps(axes.get_window_extent(renderer)), chart.file
        assert box.y1 <= axes.get_tightbbox(renderer).y0 + 1, chart.file  # below the labels
        assert figure.get_tightbbox(renderer).height <= figure.bbox.height / figure.dpi + 0.01


def test_a_long_path_wraps_after_its_separators_not_mid_word(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    source = "/srv/platewarden/departments/helena-police-department/configuration/policy-b.toml"
    policies.apply_policy(
        runtime,
        CUSTODIAN,
        DEFAULT_POLICY_FILE.read_text("utf-8").replace("days = 90", "days = 91", 1),
        source=source,
        reason="a longer retention",
        expected_version=runtime.policy_version,
    )
    clock.advance(minutes=1)
    r = report.yearly_report(runtime, AUDITOR, year=clock.now().year, tz=UTC)
    report_render.write_yearly(r, tmp_path)
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "report.pdf").pages)
    text = text.replace("\u200b", "")
    assert source not in text  # the cell is too narrow: the path wraps
    assert source in re.sub(r"(?<=/)\n", "", text)  # and only after a slash
    assert "/<wbr>configuration/<wbr>" in (tmp_path / "report.html").read_text()


def test_a_camera_registered_today_is_new_with_no_uptime(
    runtime: Runtime, clock: FixedClock
) -> None:
    clock.advance(days=30)
    cameras.add_camera(runtime, CUSTODIAN, name="cam-new", kind=CameraKind.FIXED)
    clock.advance(hours=2)
    r = report.yearly_report(runtime, AUDITOR, year=clock.now().year, tz=UTC)
    old, new = r.cameras
    assert (old.name, old.new, old.uptime) == ("cam-1", False, 1.0)
    assert (new.name, new.new, new.uptime) == ("cam-new", True, None)
    assert new.days_in_period == pytest.approx(2 / 24)  # counted from its registration
    (part,) = [s for s in report_sections.sections(r) if s.key == "cameras"]
    assert part.rows[1] == ("cam-new", "fixed", "active", "under 1 day", "", "new", 0)
    assert part.rows[0][3:6] == (f"{old.days_in_period:.1f}", f"{old.days_in_period:.1f}", "100.0")
    assert "less than 1 day before the period's end is marked new" in part.note


def test_the_public_page_tells_the_last_30_days_without_plates_names_or_cases(
    year: Runtime, tmp_path: Path
) -> None:
    page = report.transparency_page(year, AUDITOR)
    assert (page.reads, page.hits, page.confirmed, page.searches) == (month_total(12), 1, 1, 1)
    assert page.searches_by_purpose == {"Stolen vehicle": 1}
    assert page.cameras_by_kind == {"fixed": 1, "mobile": 1}
    assert page.retention_days == 90
    html = report_render.write_transparency(page, tmp_path / "public").read_text()
    assert "90 days" in html
    assert "Homicide, shooting or other major crime" in html
    secrets = ["STL0001", "WNT0002", "A12000", "B12000", "cam-1", "Main St", SHARE_CASE]
    secrets += [*CASES, *PEOPLE, "Det. R. Jones", "Agency 1"]
    secrets += [name.title() for name in PEOPLE]
    assert [s for s in secrets if s in html] == []


def test_a_year_without_activity_says_so_and_still_renders(
    runtime: Runtime, tmp_path: Path
) -> None:
    r = report.yearly_report(runtime, AUDITOR, year=2025, tz=DENVER)
    assert r.empty
    written = report_render.write_yearly(r, tmp_path)
    assert "No activity was recorded in 2025" in (tmp_path / "report.html").read_text()
    text = PdfReader(tmp_path / "report.pdf").pages[0].extract_text()
    assert "No activity was recorded in 2025" in " ".join(text.split())
    assert tmp_path / "reads_by_month.png" in written


def test_a_running_year_runs_to_now_and_a_future_year_is_refused(
    runtime: Runtime, clock: FixedClock
) -> None:
    r = report.yearly_report(runtime, AUDITOR, year=clock.now().year, tz=UTC)
    assert (r.end, r.complete) == (clock.now(), False)
    assert f"{clock.now().year} is not over" in " ".join(report_sections.summary(r))
    with pytest.raises(InvalidInputError, match="has not begun"):
        report.yearly_report(runtime, AUDITOR, year=clock.now().year + 1, tz=UTC)


def test_an_officer_may_not_produce_the_reports(runtime: Runtime) -> None:
    with pytest.raises(AccessDeniedError, match="view_reports needs one of the roles"):
        report.yearly_report(runtime, OFFICER, year=2026)


@pytest.mark.parametrize("trained", [True, False], ids=["trained", "untrained"])
@pytest.mark.parametrize("role", [r for r in Role if r not in MACHINE_ROLES])
def test_the_reports_are_for_trained_auditors_and_administrators(
    runtime: Runtime, role: Role, trained: bool
) -> None:
    who = (
        Actor(role.value, frozenset({role}))
        if trained
        else Actor(role.value, frozenset(), untrained=((role, "course not on record"),))
    )
    if trained and Action.VIEW_REPORTS in PERMISSIONS[role]:
        assert report.transparency_page(runtime, who).retention_days == 90
        assert role in {Role.AUDITOR, Role.ADMINISTRATOR}
    else:
        with pytest.raises(AccessDeniedError, match="view_reports"):
            report.transparency_page(runtime, who)
