"""Every public service checks its actor before it does anything.

Each service that takes an actor is called by a member with no role in force: it must refuse
with an access denial (not a "not found", not a validation message, which would show that it
looked before it checked), and nothing may change: no table but the audit trail, no image, no
file written, no model run. A new public service fails this test until it is listed here.
"""

import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select
from tests.factories import T0, new_read, plate_image

import platewarden.services
from platewarden.accountability import AuditFilter, Finding, MaintenanceKind
from platewarden.domain import (
    Actor,
    AgencyType,
    CameraKind,
    CameraStatus,
    HoldKind,
    Outcome,
    ReadSelection,
    RejectReason,
)
from platewarden.policy.access import Role
from platewarden.policy.model import DEFAULT_POLICY_FILE
from platewarden.services import (
    alerts,
    audit_review,
    backup,
    cameras,
    capture,
    devices,
    export,
    frames,
    holds,
    hotlists,
    importing,
    ingest,
    maintenance,
    members,
    policies,
    purge,
    report,
    search,
    sharing,
    unit_hotlists,
    unit_outbox,
    unit_retention,
    unit_status,
)
from platewarden.services.capture import Frame
from platewarden.services.errors import AccessDeniedError
from platewarden.services.runtime import Runtime
from platewarden.store.schema import metadata
from platewarden.vision.pipeline import PlateRead

NOBODY = Actor("nobody", frozenset())
# Held roles whose training lapsed count for nothing either.
LAPSED = Actor("lapsed", frozenset(), untrained=tuple((r, "expired") for r in Role if r.value))

Call = Callable[[Runtime, Actor, Path], Any]


class CountingReader:
    """A plate reader that notes whether it was asked to read anything."""

    def __init__(self) -> None:
        self.calls = 0

    def recognize(self, image: np.ndarray) -> list[PlateRead]:
        """Count the call; find nothing."""
        self.calls += 1
        return []


READER = CountingReader()
SCOPE = ReadSelection(plates=("ABC123",), since=T0 - timedelta(days=1), until=T0)
POLICY_TEXT = DEFAULT_POLICY_FILE.read_text("utf-8").replace("days = 90", "days = 1")

CALLS: dict[str, Call] = {
    "alerts.confirm_by_other_means": lambda rt, a, _: alerts.confirm_by_other_means(
        rt,
        a,
        alert_id=1,
        how="",
        answer="",  # blank: the refusal must come before the check
    ),
    "alerts.confirm_visually": lambda rt, a, _: alerts.confirm_visually(rt, a, alert_id=1),
    "alerts.changes_since": lambda rt, a, _: alerts.changes_since(rt, a, after=(0, 0)),
    "alerts.list_alerts": lambda rt, a, _: alerts.list_alerts(rt, a),
    "alerts.record_outcome": lambda rt, a, _: alerts.record_outcome(
        rt, a, alert_id=1, outcome=Outcome.STOP_MADE
    ),
    "alerts.reject": lambda rt, a, _: alerts.reject(rt, a, alert_id=1, reason=RejectReason.MISREAD),
    "alerts.view_alert": lambda rt, a, _: alerts.view_alert(rt, a, alert_id=1),
    "audit_review.chain_anchor": lambda rt, a, _: audit_review.chain_anchor(rt, a),
    "audit_review.list_reviews": lambda rt, a, _: audit_review.list_reviews(rt, a),
    "audit_review.query_audit": lambda rt, a, _: audit_review.query_audit(
        rt, a, where=AuditFilter()
    ),
    "audit_review.review_report": lambda rt, a, _: audit_review.review_report(rt, a, review_id=1),
    "audit_review.review_search": lambda rt, a, _: audit_review.review_search(
        rt, a, review_id=1, item_id=1, finding=Finding.JUSTIFIED
    ),
    "audit_review.sample_searches": lambda rt, a, _: audit_review.sample_searches(
        rt, a, since=T0 - timedelta(days=30), until=T0, size=5
    ),
    "audit_review.verify_trail": lambda rt, a, _: audit_review.verify_trail(rt, a),
    "backup.back_up": lambda rt, a, tmp: backup.back_up(
        rt, a, destination=tmp / "out" / "backup", keys_destination=tmp / "out" / "keys"
    ),
    "cameras.add_camera": lambda rt, a, _: cameras.add_camera(
        rt, a, name="cam-9", kind=CameraKind.FIXED
    ),
    "cameras.list_cameras": lambda rt, a, _: cameras.list_cameras(rt, a),
    "cameras.edit_camera": lambda rt, a, _: cameras.edit_camera(rt, a, name="cam-1", heading=1.0),
    "cameras.set_camera_status": lambda rt, a, _: cameras.set_camera_status(
        rt, a, name="cam-1", status=CameraStatus.RETIRED
    ),
    "capture.check_camera": lambda rt, a, _: capture.check_camera(rt, a, camera="cam-1"),
    "capture.ingest_frames": lambda rt, a, _: capture.ingest_frames(
        rt, a, READER, camera="cam-1", frames=[Frame(plate_image(), T0)]
    ),
    "capture.ingest_video": lambda rt, a, tmp: capture.ingest_video(
        rt, a, READER, camera="cam-1", source=str(tmp / "in" / "clip.avi"), started_at=T0
    ),
    "devices.add_device": lambda rt, a, _: devices.add_device(rt, a, name="cam", camera="cam-1"),
    "devices.list_devices": lambda rt, a, _: devices.list_devices(rt, a),
    "devices.add_unit": lambda rt, a, _: devices.add_unit(rt, a, name="car", camera="cam-1"),
    "devices.revoke_device": lambda rt, a, _: devices.revoke_device(rt, a, name="cam"),
    "frames.queue_depth": lambda rt, a, _: frames.queue_depth(rt, a),
    "frames.read_frames": lambda rt, a, _: frames.read_frames(rt, a, READER, []),
    "frames.take_frames": lambda rt, a, _: frames.take_frames(rt, a),
    "export.verify_recorded_export": lambda rt, a, tmp: export.verify_recorded_export(
        rt, a, tmp / "in"
    ),
    "export.list_exports": lambda rt, a, _: export.list_exports(rt, a),
    "export.export_hold": lambda rt, a, tmp: export.export_hold(
        rt, a, hold_id=1, evidence_number="E-1", destination=tmp / "out" / "export"
    ),
    "export.export_hold_archive": lambda rt, a, _: export.export_hold_archive(
        rt, a, hold_id=1, evidence_number="E-1"
    ),
    "export.verify_recorded_archive": lambda rt, a, _: export.verify_recorded_archive(
        rt, a, io.BytesIO(b"PK")
    ),
    "holds.create_hold": lambda rt, a, _: holds.create_hold(
        rt,
        a,
        kind=HoldKind.EVIDENCE,
        purpose="stolen_vehicle",
        case_number="C-1",
        reason="evidence",
        selection=ReadSelection(plates=("ABC123",)),
    ),
    "holds.get_hold": lambda rt, a, _: holds.get_hold(rt, a, hold_id=1),
    "holds.list_holds": lambda rt, a, _: holds.list_holds(rt, a),
    "holds.release_hold": lambda rt, a, _: holds.release_hold(rt, a, hold_id=1, reason="done"),
    "hotlists.add_entry": lambda rt, a, _: hotlists.add_entry(
        rt, a, plate="ABC*", purpose="major_crime", case_number="C-1"
    ),
    "hotlists.import_hotlist": lambda rt, a, _: hotlists.import_hotlist(
        rt, a, source="state", data=b"plate,record_type\nABC123,stolen vehicle\n"
    ),
    "hotlists.list_entries": lambda rt, a, _: hotlists.list_entries(rt, a),
    "hotlists.notices": lambda rt, a, _: hotlists.notices(rt, a),
    "hotlists.refresh": lambda rt, a, _: hotlists.refresh(rt, a),
    "hotlists.remove_entry": lambda rt, a, _: hotlists.remove_entry(
        rt, a, entry_id=1, reason="cleared"
    ),
    "hotlists.show_entry": lambda rt, a, _: hotlists.show_entry(rt, a, entry_id=1),
    "hotlists.status": lambda rt, a, _: hotlists.status(rt, a),
    "importing.import_reads_file": lambda rt, a, tmp: importing.import_reads_file(
        rt,
        a,
        tmp / "in" / "reads.csv",
        source_name="",  # blank: refused before it is checked
    ),
    "ingest.ingest_reads": lambda rt, a, _: ingest.ingest_reads(rt, a, [new_read()]),
    "maintenance.add_maintenance": lambda rt, a, _: maintenance.add_maintenance(
        rt, a, camera="cam-1", kind=MaintenanceKind.CALIBRATION, done_on=T0, performed_by="Acme"
    ),
    "maintenance.list_maintenance": lambda rt, a, _: maintenance.list_maintenance(
        rt, a, camera="cam-1"
    ),
    "maintenance.overdue_calibrations": lambda rt, a, _: maintenance.overdue_calibrations(rt, a),
    "members.add_member": lambda rt, a, _: members.add_member(
        rt, a, username="new", full_name="New", password="a long passphrase 9", roles=[Role.OFFICER]
    ),
    "members.deactivate": lambda rt, a, _: members.deactivate(
        rt, a, username="someone", reason="left"
    ),
    "members.enroll_totp": lambda rt, a, _: members.enroll_totp(rt, a, username="someone"),
    "members.grant_confidential": lambda rt, a, _: members.grant_confidential(
        rt, a, username="someone", reason="task force"
    ),
    "members.list_members": lambda rt, a, _: members.list_members(rt, a),
    "members.list_training": lambda rt, a, _: members.list_training(rt, a),
    "members.record_training": lambda rt, a, _: members.record_training(
        rt, a, username="someone", course="ALPR operator", completed_on=T0
    ),
    "members.reset_password": lambda rt, a, _: members.reset_password(
        rt, a, username="someone", new_password="a long passphrase 9"
    ),
    "members.revoke_confidential": lambda rt, a, _: members.revoke_confidential(
        rt, a, username="someone"
    ),
    "members.set_roles": lambda rt, a, _: members.set_roles(
        rt, a, username="someone", roles=[Role.ADMINISTRATOR]
    ),
    "members.show_member": lambda rt, a, _: members.show_member(rt, a, username="someone"),
    "policies.apply_policy": lambda rt, a, _: policies.apply_policy(
        rt, a, POLICY_TEXT, source="p.toml", reason="shorter", expected_version=1
    ),
    "policies.current_policy": lambda rt, a, _: policies.current_policy(rt, a),
    "policies.policy_history": lambda rt, a, _: policies.policy_history(rt, a),
    "policies.preview_policy": lambda rt, a, _: policies.preview_policy(
        rt, a, POLICY_TEXT, source="p.toml"
    ),
    "purge.list_runs": lambda rt, a, _: purge.list_runs(rt, a),
    "purge.purge": lambda rt, a, _: purge.purge(rt, a),
    "purge.prepare_days": lambda rt, a, _: purge.prepare_days(rt, a),
    "report.transparency_page": lambda rt, a, _: report.transparency_page(rt, a),
    "report.yearly_report": lambda rt, a, _: report.yearly_report(rt, a, year=2026),
    "search.read_image": lambda rt, a, _: search.read_image(
        rt, a, read_id=1, which="frame", purpose="stolen_vehicle", case_number="C-1"
    ),
    "search.search_cameras": lambda rt, a, _: search.search_cameras(rt, a),
    "search.show_read": lambda rt, a, _: search.show_read(
        rt, a, read_id=1, purpose="stolen_vehicle", case_number="C-1"
    ),
    "search.search_reads": lambda rt, a, _: search.search_reads(
        rt, a, search.SearchQuery(purpose="stolen_vehicle", case_number="C-1", plate="ABC123")
    ),
    "sharing.decide": lambda rt, a, _: sharing.decide(
        rt, a, request_id=1, approve=True, reason="lawful"
    ),
    "sharing.fulfil": lambda rt, a, tmp: sharing.fulfil(
        rt, a, request_id=1, destination=tmp / "out" / "release"
    ),
    "sharing.fulfil_archive": lambda rt, a, _: sharing.fulfil_archive(rt, a, request_id=1),
    "sharing.get_request": lambda rt, a, _: sharing.get_request(rt, a, request_id=1),
    "sharing.import_response": lambda rt, a, tmp: sharing.import_response(
        rt, a, request_id=1, file=tmp / "in" / "reads.csv"
    ),
    "sharing.list_requests": lambda rt, a, _: sharing.list_requests(rt, a),
    "sharing.receive_request": lambda rt, a, _: sharing.receive_request(
        rt,
        a,
        agency="County SO",
        agency_type=AgencyType.LAW_ENFORCEMENT,
        requester="Sgt. X",
        requester_contact="x@example.org",
        purpose="stolen_vehicle",
        case_number="C-1",
        scope=SCOPE,
        received_on=T0,
    ),
    "sharing.request_document": lambda rt, a, _: sharing.request_document(rt, a, request_id=1),
    "sharing.request_out": lambda rt, a, _: sharing.request_out(
        rt,
        a,
        agency="County SO",
        requester="Det. Y",
        requester_contact="y@example.org",
        purpose="stolen_vehicle",
        case_number="C-1",
        scope=SCOPE,
        sent_on=T0,
    ),
    "unit_hotlists.apply_changes": lambda rt, a, _: unit_hotlists.apply_changes(
        rt,
        a,
        {},
        unit="car",
        since=None,  # empty: the refusal must come before the check
    ),
    "unit_hotlists.held_cursor": lambda rt, a, _: unit_hotlists.held_cursor(rt, a),
    "unit_outbox.acknowledge": lambda rt, a, _: unit_outbox.acknowledge(
        rt, a, [unit_outbox.Queued(1, "r1", {}, ())]
    ),
    "unit_outbox.acknowledge_records": lambda rt, a, _: unit_outbox.acknowledge_records(
        rt, a, unit_outbox.Records(audit_upto=1, events_upto=1)
    ),
    "unit_outbox.next_batch": lambda rt, a, _: unit_outbox.next_batch(rt, a, limit=5),
    "unit_outbox.next_records": lambda rt, a, _: unit_outbox.next_records(rt, a, limit=5),
    "unit_outbox.set_aside": lambda rt, a, _: unit_outbox.set_aside(
        rt, a, unit_outbox.Queued(1, "r1", {}, ()), status=422, reason="refused"
    ),
    "unit_retention.purge_expired": lambda rt, a, _: unit_retention.purge_expired(rt, a),
    "unit_outbox.note_contact": lambda rt, a, _: unit_outbox.note_contact(rt, a),
    "unit_status.alerts_after": lambda rt, a, _: unit_status.alerts_after(rt, a, after=0),
    "unit_status.newest_alert_id": lambda rt, a, _: unit_status.newest_alert_id(rt, a),
    "unit_status.status_for_member": lambda rt, a, _: unit_status.status_for_member(rt, a),
    "unit_status.register_camera": lambda rt, a, _: unit_status.register_camera(
        rt, a, camera="car-9"
    ),
    "unit_status.unit_status": lambda rt, a, _: unit_status.unit_status(rt, a),
}

# Public functions that take no actor, and why that is right.
NO_ACTOR = {
    "alerts.publish": "sends alerts an authorised ingest raised, in the caller's process",
    "alerts.raise_alerts": "runs inside ingest's authorised transaction (takes its connection)",
    "alerts.raise_historical_alerts": "runs inside add_entry's authorised transaction",
    "audit.authorize": "the check itself",
    "audit.record": "writes the audit record in the caller's transaction",
    "audit_review.busy_days": "pure: counts a list it is given",
    "audit_review.unusual_hours": "pure: counts a list it is given",
    "backup.restore_backup": "fills a new, empty installation: who holds the keys may",
    "backup.verify_backup": "checks files against their manifest",
    "auth.actor_for": "builds the actor inside log-on's transaction",
    "auth.change_password": "log-on: checks the member's own password first",
    "auth.has_members": "tells only whether a first administrator exists",
    "auth.log_off": "ends the session whose token the caller holds",
    "auth.log_on": "log-on: the way to become an actor",
    "auth.resume": "log-on: the way to become an actor",
    "delivery.post_json": "network helper, no store",
    "delivery.sign": "pure",
    "devices.device_actor": "a device's log-on: the way a device becomes an actor",
    "devices.push_reads": "authorizes the device's own actor, scoped to its camera or source",
    "devices.sync_key_label": "names what a unit's key is sealed to; reads nothing",
    "unit_sync.hotlist_changes": "authorizes the device's own actor: a unit's token only",
    "unit_sync.sign": "signs the bytes it is given; reads nothing",
    "unit_records.receive_records": "authorizes the device's own actor: a unit's token only",
    "frames.receive_frame": "authorizes the device's own actor, a camera's device only",
    "export.check_destination": "checks a folder path, no store",
    "export.package_files": "yields the files of a package export_hold or fulfil checked",
    "export.verify_archive": "checks an archive's files against its manifest",
    "export.verify_export": "checks files against their manifest",
    "export.write_package": "writes a package for export_hold and fulfil after their checks",
    "export.zip_package": "archives a package for export_hold and fulfil after their checks",
    "hotlist_files.parse_date": "pure parser",
    "hotlist_files.parse_hotlist": "pure parser",
    "hotlists.fetch": "reads a feed location for refresh after its check",
    "importing.parse_reads_file": "pure parser of the caller's own file",
    "importing.read_from_row": "pure: builds a read from a row",
    "ingest.check_reads": "validates reads before an authorised ingest",
    "ingest.conflicting_ids": "pure: finds reads that share an id",
    "ingest.is_image": "pure",
    "ingest.read_problems": "pure",
    "installation.check_service_key": "the service account's own check",
    "installation.policy_audit_entry": "pure: builds an audit record",
    "installation.policy_in_force": "loads the policy for every process at start",
    "installation.service_key_file": "pure",
    "installation.text_sha256": "pure",
    "matcher.build_index": "runs inside an authorised ingest",
    "matcher.current_index": "runs inside an authorised ingest",
    "members.create_first_administrator": "only while no member exists",
    "members.own_training": "a member's own courses: no role needed, a lapsed one must see why",
    "policies.apply_first_run_policy": "only while no member exists",
    "read_formats.rows_from_body": "pure: turns other systems' messages into rows",
    "report.local_start": "pure",
    "pdf.new_pdf": "pure: an empty document",
    "export_sheet.evidence_sheet": "pure: prints the package an authorised export builds",
    "pdf.paragraph": "pure: writes text it is given",
    "pdf.breakable": "pure",
    "pdf.column_widths": "pure",
    "selection.selection_problems": "pure: checks a selection for the services that take one",
    "report_render.draw_chart": "pure: renders figures it is given",
    "report_render.chart_figure": "pure: lays out figures it is given",
    "report_sections.sections": "pure",
    "report_sections.summary": "pure",
    "report_render.write_transparency": "writes figures it is given",
    "report_render.write_yearly": "writes figures it is given",
    "report_render.yearly_files": "renders figures it is given",
    "report_render.transparency_html": "renders figures it is given",
    "runtime.open_runtime": "start-up",
    "runtime.upgrade_schema": "start-up",
}


def public_services() -> set[str]:
    """Return module.function for every public function of the services package."""
    found = set()
    for info in pkgutil.iter_modules(platewarden.services.__path__):
        module = importlib.import_module(f"platewarden.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                found.add(f"{info.name}.{name}")
    return found


def test_every_public_service_is_listed_here() -> None:
    listed = set(CALLS) | set(NO_ACTOR)
    assert sorted(public_services() - listed) == [], "list the new service in CALLS or NO_ACTOR"
    assert sorted(listed - public_services()) == [], "a listed service no longer exists"


def snapshot(rt: Runtime, tmp_path: Path) -> dict[str, object]:
    """Count every table's rows but the audit trail's, and list every file."""
    with rt.engine.connect() as conn:
        counts: dict[str, object] = {
            table.name: conn.scalar(select(func.count()).select_from(table))
            for table in metadata.sorted_tables
            if table.name != "audit_log"
            and table.info.get("backend") in (None, conn.dialect.name)  # kept on this backend
        }
    counts["files"] = sorted(str(p) for p in tmp_path.rglob("*") if p.is_file())
    return counts


@pytest.mark.parametrize("who", [NOBODY, LAPSED], ids=["no role", "lapsed training"])
def test_a_member_without_a_role_in_force_is_refused_by_every_service_with_no_effect(
    runtime: Runtime, tmp_path: Path, who: Actor
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "reads.csv").write_text(
        f"read_id,plate,captured_at\nx1,ABC123,{T0.isoformat()}\n"
    )
    (tmp_path / "in" / "clip.avi").write_bytes(plate_image())
    before = snapshot(runtime, tmp_path)
    not_refused = []
    for name, call in sorted(CALLS.items()):
        try:
            call(runtime, who, tmp_path)
        except AccessDeniedError:
            continue
        except Exception as exc:
            not_refused.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
        else:
            not_refused.append(f"{name}: returned")
    assert not_refused == [], "\n".join(not_refused)
    assert snapshot(runtime, tmp_path) == before
    assert READER.calls == 0, "the recognition models ran before the permission check"
