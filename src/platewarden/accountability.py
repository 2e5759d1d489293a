"""The plain types of accountability: camera upkeep, the audit trail as read, and audit reviews."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class MaintenanceKind(StrEnum):
    """What was done to a camera."""

    INSTALL = "install"
    REPAIR = "repair"
    CALIBRATION = "calibration"
    FIRMWARE = "firmware"
    CLEANING = "cleaning"


@dataclass(frozen=True)
class MaintenanceRecord:
    """One piece of maintenance or calibration done to a camera (426.6 d)."""

    id: int
    camera: str
    done_on: datetime
    kind: MaintenanceKind
    performed_by: str
    notes: str | None
    next_due: datetime | None
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class CalibrationDue:
    """A camera in service whose calibration is overdue, or which was never calibrated."""

    camera: str
    last_calibrated: datetime | None
    next_due: datetime | None


@dataclass(frozen=True)
class AuditRecord:
    """One record of the audit trail, with its place in the chain."""

    id: int
    at: datetime
    actor: str
    action: str
    outcome: str
    reason: str
    purpose: str | None
    case_number: str | None
    parameters: dict[str, Any]
    result_count: int | None
    client_address: str | None


@dataclass(frozen=True)
class AuditFilter:
    """What an audit query asks for; None matches anything."""

    actor: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    case_number: str | None = None
    purpose: str | None = None
    action: str | None = None
    outcome: str | None = None  # allowed, denied or failed
    after_id: int | None = None  # only records after this one: the next page


class Finding(StrEnum):
    """A reviewer's finding on one sampled search."""

    JUSTIFIED = "justified"
    NOT_JUSTIFIED = "not_justified"


@dataclass(frozen=True)
class ReviewItem:
    """One sampled search of an audit review, and the reviewer's finding once recorded."""

    id: int
    review_id: int
    record: AuditRecord
    finding: Finding | None = None
    notes: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None


@dataclass(frozen=True)
class AuditReview:
    """A random sample of a period's searches, for a supervisor or auditor to review."""

    id: int
    period_start: datetime
    period_end: datetime
    sample_size: int  # as asked; fewer items when the period held fewer searches
    seed: int
    created_by: str
    created_at: datetime
    closed_at: datetime | None  # when the last item got its finding
    items: tuple[ReviewItem, ...] = ()


@dataclass(frozen=True)
class BusyDay:
    """A member's UTC day with more searches than the policy's many_searches_per_day."""

    actor: str
    day: date
    searches: int


@dataclass(frozen=True)
class UnusualHour:
    """Searches at a UTC hour that holds a small share of the member's searches in the period."""

    actor: str
    hour: int
    share: float
    record_ids: tuple[int, ...]


@dataclass(frozen=True)
class ReviewReport:
    """The findings of a review and the flags of its period."""

    review: AuditReview
    justified: int
    not_justified: int
    pending: int
    searches: int  # searches in the period
    without_results: tuple[AuditRecord, ...]
    busy_days: tuple[BusyDay, ...]
    unusual_hours: tuple[UnusualHour, ...]
