"""Roles and what they may do: the one permission table, each denial with its reason."""

from enum import StrEnum

from platewarden.policy.decision import Decision


class Role(StrEnum):
    """The roles of the department's members."""

    OFFICER = "officer"
    INVESTIGATOR = "investigator"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"
    RECORDS_CUSTODIAN = "records_custodian"
    SYSTEM = "system"  # the installation itself: scheduled jobs in its service account
    DEVICE = "device"  # a camera or another ALPR system pushing reads with its token
    UNIT = "unit"  # a patrol car's laptop: pushes its camera's reads, keeps a hot-list copy


class Action(StrEnum):
    """Things a member can do that the policy governs."""

    INGEST = "ingest"
    MANAGE_CAMERAS = "manage_cameras"
    VIEW_READS = "view_reads"
    CREATE_HOLD = "create_hold"
    RELEASE_HOLD = "release_hold"
    VIEW_HOLDS = "view_holds"
    EXPORT_EVIDENCE = "export_evidence"
    PURGE = "purge"
    VIEW_PURGE_RUNS = "view_purge_runs"
    MANAGE_HOTLISTS = "manage_hotlists"
    VIEW_HOTLISTS = "view_hotlists"
    VIEW_ALERTS = "view_alerts"
    HANDLE_ALERTS = "handle_alerts"
    QUERY_PLATE = "query_plate"  # a plate look-up with a purpose (officers)
    SEARCH_HISTORY = "search_history"  # history search and area canvass (investigators)
    MANAGE_MEMBERS = "manage_members"
    MANAGE_TRAINING = "manage_training"
    VIEW_MEMBER_ACTIVITY = "view_member_activity"
    VIEW_AUDIT = "view_audit"
    REVIEW_AUDIT = "review_audit"
    MAINTAIN_CAMERAS = "maintain_cameras"
    RECORD_SHARING = "record_sharing"  # enter another agency's request, or our own request out
    APPROVE_SHARING = "approve_sharing"  # review and approve or deny (426.7)
    FULFIL_SHARING = "fulfil_sharing"  # export exactly the approved scope
    VIEW_REPORTS = "view_reports"  # the yearly report and the transparency page
    VIEW_POLICY = "view_policy"  # the policy in force and its history
    MANAGE_POLICY = "manage_policy"  # apply a new version of the policy
    BACKUP = "backup"  # copy the database, the images and the keys while the system runs
    SYNC_HOTLISTS = "sync_hotlists"  # keep a patrol car's copy of the hot lists (no confidential)


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OFFICER: frozenset(
        {
            Action.VIEW_ALERTS,
            Action.HANDLE_ALERTS,
            Action.VIEW_HOTLISTS,
            Action.QUERY_PLATE,
            Action.VIEW_POLICY,
        }
    ),
    Role.INVESTIGATOR: frozenset(
        {
            Action.VIEW_READS,
            Action.QUERY_PLATE,
            Action.SEARCH_HISTORY,
            Action.CREATE_HOLD,
            Action.VIEW_HOLDS,
            Action.VIEW_ALERTS,
            Action.VIEW_HOTLISTS,
            Action.VIEW_POLICY,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Action.VIEW_HOLDS,
            Action.VIEW_ALERTS,
            Action.HANDLE_ALERTS,
            Action.VIEW_HOTLISTS,
            Action.VIEW_MEMBER_ACTIVITY,
            Action.VIEW_AUDIT,
            Action.REVIEW_AUDIT,
            Action.VIEW_POLICY,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Action.MANAGE_CAMERAS,
            Action.MAINTAIN_CAMERAS,
            Action.INGEST,
            Action.VIEW_HOLDS,
            Action.MANAGE_HOTLISTS,
            Action.VIEW_HOTLISTS,
            Action.VIEW_ALERTS,
            Action.MANAGE_MEMBERS,
            Action.MANAGE_TRAINING,
            Action.RECORD_SHARING,
            Action.APPROVE_SHARING,
            Action.VIEW_REPORTS,
            Action.VIEW_POLICY,
            Action.MANAGE_POLICY,
            Action.BACKUP,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            Action.VIEW_HOLDS,
            Action.VIEW_PURGE_RUNS,
            Action.VIEW_AUDIT,
            Action.REVIEW_AUDIT,
            Action.VIEW_REPORTS,
            Action.VIEW_POLICY,
        }
    ),
    Role.RECORDS_CUSTODIAN: frozenset(
        {
            Action.CREATE_HOLD,
            Action.RELEASE_HOLD,
            Action.VIEW_HOLDS,
            Action.EXPORT_EVIDENCE,
            Action.PURGE,
            Action.VIEW_PURGE_RUNS,
            Action.VIEW_READS,
            Action.RECORD_SHARING,
            Action.FULFIL_SHARING,
            Action.INGEST,  # imports the reads other agencies send back
            Action.VIEW_POLICY,
        }
    ),
    # The installation itself: the scheduled jobs in the service account's process.
    Role.SYSTEM: frozenset(
        {Action.INGEST, Action.PURGE, Action.MANAGE_HOTLISTS, Action.VIEW_AUDIT}
    ),
}


PERMISSIONS[Role.DEVICE] = frozenset({Action.INGEST})  # for its own camera or source only
PERMISSIONS[Role.UNIT] = frozenset({Action.INGEST, Action.SYNC_HOTLISTS})  # its car's camera

# Roles that are not people: no course, no log-on.
MACHINE_ROLES = frozenset({Role.SYSTEM, Role.DEVICE, Role.UNIT})


def check_role(roles: frozenset[Role], action: Action) -> Decision:
    """Allow the action when one of the roles grants it, else say which roles would."""
    granting = [role for role in roles if action in PERMISSIONS[role]]
    if granting:
        return Decision.allow(f"{action} granted by role {sorted(granting)[0]}")
    needed = sorted(role.value for role, actions in PERMISSIONS.items() if action in actions)
    held = ", ".join(sorted(r.value for r in roles)) or "none"
    return Decision.deny(f"{action} needs one of the roles {', '.join(needed)}; held: {held}")
