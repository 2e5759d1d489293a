"""Every service call for every role: allowed exactly as the permission table says."""

from collections.abc import Callable

import pytest
from tests.factories import CUSTODIAN, new_read

from platewarden.accountability import AuditFilter
from platewarden.domain import Actor, AgencyType, HoldKind
from platewarden.policy.access import MACHINE_ROLES, PERMISSIONS, Action, Role
from platewarden.selection import ReadSelection
from platewarden.services import (
    alerts,
    audit_review,
    backup,
    cameras,
    holds,
    hotlists,
    maintenance,
    members,
    policies,
    purge,
    sharing,
)
from platewarden.services.errors import AccessDeniedError, ServiceError
from platewarden.services.export import export_hold
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.search import SearchQuery, search_reads

Call = Callable[[Runtime, Actor], object]

CALLS: list[tuple[Action, Call]] = [
    (Action.VIEW_AUDIT, lambda rt, a: audit_review.query_audit(rt, a, where=AuditFilter())),
    (Action.VIEW_AUDIT, audit_review.chain_anchor),
    (
        Action.REVIEW_AUDIT,
        lambda rt, a: audit_review.review_search(
            rt, a, review_id=999, item_id=1, finding="justified"
        ),
    ),
    (
        Action.MAINTAIN_CAMERAS,
        lambda rt, a: maintenance.add_maintenance(
            rt, a, camera="cam-1", kind="cleaning", done_on=rt.clock.now(), performed_by="walk"
        ),
    ),
    (Action.RECORD_SHARING, sharing.list_requests),
    (
        Action.APPROVE_SHARING,
        lambda rt, a: sharing.decide(rt, a, request_id=1, approve=False, reason="walk"),
    ),
    (
        Action.FULFIL_SHARING,
        lambda rt, a: sharing.fulfil(
            rt, a, request_id=2, destination=rt.settings.data_dir / "release" / a.name
        ),
    ),
    (Action.INGEST, lambda rt, a: ingest_reads(rt, a, [new_read()])),
    (Action.MANAGE_CAMERAS, cameras.list_cameras),
    (Action.VIEW_HOLDS, holds.list_holds),
    (
        Action.CREATE_HOLD,
        lambda rt, a: holds.create_hold(
            rt,
            a,
            kind=HoldKind.EVIDENCE,
            purpose="major_crime",
            case_number="26-1",
            reason="walk",
            selection=ReadSelection(plates=("ABC1234",)),
        ),
    ),
    (Action.RELEASE_HOLD, lambda rt, a: holds.release_hold(rt, a, hold_id=999, reason="walk")),
    (
        Action.EXPORT_EVIDENCE,
        lambda rt, a: export_hold(
            rt, a, hold_id=1, evidence_number="E-1", destination=rt.settings.data_dir / "x" / "y"
        ),
    ),
    (Action.PURGE, lambda rt, a: purge.purge(rt, a, dry_run=True)),
    (Action.VIEW_PURGE_RUNS, purge.list_runs),
    (
        Action.MANAGE_HOTLISTS,
        lambda rt, a: hotlists.remove_entry(rt, a, entry_id=999, reason="walk"),
    ),
    (Action.VIEW_HOTLISTS, hotlists.list_entries),
    (Action.VIEW_ALERTS, alerts.list_alerts),
    (Action.HANDLE_ALERTS, lambda rt, a: alerts.confirm_visually(rt, a, alert_id=999)),
    (
        Action.QUERY_PLATE,
        lambda rt, a: search_reads(rt, a, SearchQuery("stolen_vehicle", "26-1", plate="ABC1234")),
    ),
    (
        Action.SEARCH_HISTORY,
        lambda rt, a: search_reads(rt, a, SearchQuery("major_crime", "26-1", plate="ABC12*")),
    ),
    (Action.MANAGE_MEMBERS, members.list_members),
    (Action.VIEW_POLICY, policies.policy_history),
    (
        Action.MANAGE_POLICY,
        lambda rt, a: policies.preview_policy(rt, a, "not = [toml", source="walk.toml"),
    ),
    (
        Action.BACKUP,
        lambda rt, a: backup.back_up(
            rt,
            a,
            destination=rt.settings.data_dir.parent / f"backup-{a.name}",
            keys_destination=rt.settings.data_dir.parent / f"keys-{a.name}",
        ),
    ),
    (
        Action.MANAGE_TRAINING,
        lambda rt, a: members.record_training(
            rt, a, username="nobody", course="ALPR operator", completed_on=rt.clock.now()
        ),
    ),
]


def test_the_walk_covers_every_action_a_member_role_holds() -> None:
    walked = {action for action, _ in CALLS}
    held = set().union(*(PERMISSIONS[r] for r in Role if r not in MACHINE_ROLES))
    missing = (
        held
        - walked
        - {
            Action.VIEW_READS,
            Action.VIEW_MEMBER_ACTIVITY,
            Action.VIEW_REPORTS,  # walked by the report's own tests
        }
    )
    assert missing == set()


@pytest.mark.parametrize("trained", [True, False], ids=["trained", "untrained"])
@pytest.mark.parametrize("role", [r for r in Role if r not in MACHINE_ROLES])
def test_each_call_is_allowed_exactly_by_the_table(
    runtime: Runtime, role: Role, trained: bool
) -> None:
    holds.create_hold(
        runtime,
        CUSTODIAN,
        kind=HoldKind.EVIDENCE,
        purpose="major_crime",
        case_number="26-1",
        reason="for the export call",
        selection=ReadSelection(plates=("NONE1",)),
    )
    clerk = Actor("clerk", frozenset({Role.RECORDS_CUSTODIAN}))
    for _ in range(2):  # request 1 stays pending (for the decision); 2 is approved (to fulfil)
        sharing.receive_request(
            runtime,
            clerk,
            agency="County Attorney",
            agency_type=AgencyType.PROSECUTOR,
            requester="DCA",
            requester_contact="x",
            purpose="major_crime",
            case_number="DC-1",
            scope=ReadSelection(plates=("NONE1",)),
            received_on=runtime.clock.now(),
        )
    sharing.decide(
        runtime,
        Actor("boss", frozenset({Role.ADMINISTRATOR})),
        request_id=2,
        approve=True,
        reason="for the fulfil call",
    )
    if trained:
        who = Actor(f"{role.value}-member", frozenset({role}))
    else:
        who = Actor(
            f"{role.value}-member", frozenset(), untrained=((role, "course 'X' is not on record"),)
        )
    outcomes = {}
    for action, call in CALLS:
        try:
            call(runtime, who)
            outcomes[action] = "allowed"
        except AccessDeniedError as denial:
            outcomes[action] = "denied"
            if not trained and action in PERMISSIONS[role]:
                assert "needs current training" in str(denial)
        except ServiceError:  # allowed, then refused for its input (no such hold, alert …)
            outcomes[action] = "allowed"
    expected = {
        action: "allowed" if trained and action in PERMISSIONS[role] else "denied"
        for action, _ in CALLS
    }
    assert outcomes == expected
