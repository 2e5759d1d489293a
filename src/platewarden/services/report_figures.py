"""The figures of the yearly report and the transparency page, as plain dataclasses."""

import statistics
from dataclasses import dataclass
from datetime import datetime
from math import ceil

# A camera registered less than this many days before the period's end is new: its uptime
# would be a share of a few hours, so the report says "new" instead of a figure.
NEW_CAMERA_DAYS = 1.0


@dataclass(frozen=True)
class Tally:
    """Searches: allowed with results, allowed without results, and denied."""

    with_results: int = 0
    without_results: int = 0
    denied: int = 0

    @property
    def allowed(self) -> int:
        """Return the searches that were allowed."""
        return self.with_results + self.without_results


@dataclass(frozen=True)
class CameraFigures:
    """A camera's time in service in the period, from its status changes in the audit trail."""

    name: str
    kind: str
    status_at_end: str
    days_in_period: float  # from the later of the period's start and the camera's registration
    days_in_service: float  # of those, the days with status "active"
    repairs: int

    @property
    def new(self) -> bool:
        """True when the camera was registered less than a day before the period's end."""
        return self.days_in_period < NEW_CAMERA_DAYS

    @property
    def uptime(self) -> float | None:
        """Return the share of the camera's days in the period that it was in service (None
        for a new camera)."""
        return None if self.new else self.days_in_service / self.days_in_period


@dataclass(frozen=True)
class MonthReads:
    """A month's reads: still stored, and purged by the purges whose cutoff fell in it."""

    month: str  # YYYY-MM, local time
    retained: int
    purged: int

    @property
    def total(self) -> int:
        """Return the month's reads, stored and purged."""
        return self.retained + self.purged


@dataclass(frozen=True)
class AlertFigures:
    """Alerts raised in the period and what became of them."""

    raised: int
    hits: int  # reads that hit, counting those folded into an open alert
    by_purpose: dict[str, int]
    by_status: dict[str, int]
    rejected_by_reason: dict[str, int]
    outcomes: dict[str, int]
    confirmation_minutes: tuple[float, ...]  # creation to confirmation by other means

    @property
    def confirmed(self) -> int:
        """Return the alerts confirmed by eye and by other means."""
        return self.by_status.get("confirmed", 0)

    @property
    def rejected(self) -> int:
        """Return the alerts rejected."""
        return self.by_status.get("rejected", 0)

    @property
    def median_minutes(self) -> float | None:
        """Return the median minutes from an alert to its confirmation."""
        times = self.confirmation_minutes
        return statistics.median(times) if times else None

    @property
    def p90_minutes(self) -> float | None:
        """Return the 90th percentile (nearest rank) of the minutes to confirmation."""
        times = sorted(self.confirmation_minutes)
        return times[ceil(0.9 * len(times)) - 1] if times else None


@dataclass(frozen=True)
class SearchFigures:
    """Searches of the read data (plate queries and history searches) in the period."""

    total: Tally
    by_purpose: dict[str, Tally]  # by purpose code: the policy's purposes, in its order
    by_role: dict[str, Tally]  # by the roles the searching member holds now
    refused_without_lawful_purpose: int  # refused, naming a made-up purpose or none


@dataclass(frozen=True)
class MemberFigures:
    """Members with access at the period's end, their training, and log-ons in the period."""

    active: int
    compliant: int  # every role they hold has current training
    lapsed: int  # at least one role without current training
    by_role: dict[str, tuple[int, int]]  # role: (members holding it, of those trained)
    logons: int
    failed_logons: int


@dataclass(frozen=True)
class AuditFigures:
    """Audit reviews drawn in the period, their findings, and checks of the audit chain."""

    reviews: int
    closed: int
    sampled: int
    justified: int
    not_justified: int
    chain_checks: int
    chain_failures: int
    # The last record of the period as RECORD:HASH: printed in the report, it is an anchor that
    # `audit verify --anchor` checks ("" when the trail is empty).
    chain_head: str

    @property
    def pending(self) -> int:
        """Return the sampled searches without a finding yet."""
        return self.sampled - self.justified - self.not_justified


@dataclass(frozen=True)
class SharingFigures:
    """Requests received in the period (426.7), by where they stand now, and our own requests."""

    received: int
    approved: int  # approved, fulfilled or not
    denied: int
    referred: int  # not law enforcement or prosecutor: sent to records release
    fulfilled: int
    pending: int
    outgoing: int
    by_agency_type: dict[str, int]


@dataclass(frozen=True)
class HoldFigures:
    """Holds placed in the period, and evidence exports made."""

    by_kind: dict[str, int]
    reads_held: int
    released: int
    active_at_end: int
    exports: int
    exported_reads: int

    @property
    def placed(self) -> int:
        """Return the holds placed."""
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class PurgeFigures:
    """Purges run in the period (counts only)."""

    runs: int
    reads_purged: int
    images_purged: int
    days_shredded: int


@dataclass(frozen=True)
class MaintenanceFigures:
    """Maintenance done in the period, and calibrations overdue at its end."""

    done_by_kind: dict[str, int]
    calibration_overdue: tuple[str, ...]  # cameras in service at the end


@dataclass(frozen=True)
class PolicyChange:
    """A start under a changed policy file."""

    at: datetime
    reason: str
    source: str
    retention_days: int | None


@dataclass(frozen=True)
class YearlyReport:
    """The figures of a year's report for the Chief of Police."""

    agency: str
    year: int
    start: datetime
    end: datetime  # exclusive: the next year's start, or the time of the report in a running year
    complete: bool
    generated_at: datetime
    purpose_titles: dict[str, str]  # the policy's purposes: code to title
    cameras: tuple[CameraFigures, ...]
    reads_by_month: tuple[MonthReads, ...]
    reads_by_camera: dict[str, int]  # stored reads only
    alerts: AlertFigures
    searches: SearchFigures
    members: MemberFigures
    audits: AuditFigures
    sharing: SharingFigures
    holds: HoldFigures
    purges: PurgeFigures
    maintenance: MaintenanceFigures
    policy_changes: tuple[PolicyChange, ...]

    @property
    def reads(self) -> int:
        """Return the year's reads, stored and purged."""
        return sum(m.total for m in self.reads_by_month)

    @property
    def empty(self) -> bool:
        """True when the year holds no activity at all."""
        return not (
            self.reads
            or self.alerts.raised
            or self.searches.total.allowed + self.searches.total.denied
            or self.holds.placed
            or self.purges.runs
            or self.sharing.received + self.sharing.outgoing
            or self.audits.reviews
            or sum(self.maintenance.done_by_kind.values())
            or self.policy_changes
        )


@dataclass(frozen=True)
class TransparencyPage:
    """The public figures: the policy in brief, the cameras and the last 30 days. No plates,
    names or case numbers."""

    agency: str
    generated_at: datetime
    since: datetime
    retention_days: int
    purposes: tuple[str, ...]
    cameras_by_kind: dict[str, int]  # in service now
    reads: int
    hits: int
    confirmed: int
    searches: int
    searches_by_purpose: dict[str, int]
