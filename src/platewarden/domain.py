"""The plain types that services take and return."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from platewarden.policy.access import Role
from platewarden.selection import ReadSelection

PLATE_CHARS = re.compile(r"[^A-Z0-9]")


def normalise_plate(text: str) -> str:
    """Return the plate in upper-case letters and digits only (no spaces, dashes or dots)."""
    upper = text.upper()
    if upper.isascii() and upper.isalnum():  # already clean: the common case, skip the regex
        return upper
    return PLATE_CHARS.sub("", upper)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a member, a camera or a job, with the roles they hold."""

    name: str
    roles: frozenset[Role]  # the roles in force: held and with current training
    client_address: str | None = None
    confidential_access: bool = False  # may see confidential hot-list entries' details
    member_id: int | None = None
    untrained: tuple[tuple[Role, str], ...] = ()  # held roles without current training, and why


class CameraKind(StrEnum):
    """How a camera is mounted."""

    FIXED = "fixed"
    MOBILE = "mobile"


class CameraStatus(StrEnum):
    """Whether a camera is in service."""

    ACTIVE = "active"
    OUT_OF_SERVICE = "out_of_service"
    RETIRED = "retired"


@dataclass(frozen=True)
class Camera:
    """An ALPR camera, fixed on a pole or on a patrol car."""

    id: int
    name: str
    kind: CameraKind
    status: CameraStatus
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    heading: float | None = None
    last_seen_at: datetime | None = None  # its newest frame or read, to the minute


class ReadSource(StrEnum):
    """Where a read came from."""

    CAMERA = "camera"  # the department's own cameras
    IMPORT = "import"  # a file of reads from an ALPR system the department does not operate
    AGENCY = "agency"  # reads another agency sent


@dataclass(frozen=True)
class Alternative:
    """One of the OCR's candidate texts for a plate, with its confidence."""

    plate: str
    confidence: float


@dataclass(frozen=True)
class NewRead:
    """A read as it arrives, before it is stored."""

    client_read_id: str
    plate: str
    captured_at: datetime
    confidence: float
    source: ReadSource = ReadSource.CAMERA
    source_name: str = ""
    camera: str | None = None
    jurisdiction: str | None = None
    alternatives: tuple[Alternative, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    plate_box: tuple[int, int, int, int] | None = None
    frame_image: bytes | None = None
    crop_image: bytes | None = None


@dataclass(frozen=True)
class Read:
    """A stored read."""

    id: int
    client_read_id: str
    plate: str
    captured_at: datetime
    ingested_at: datetime
    confidence: float
    source: ReadSource
    source_name: str
    camera: str | None
    jurisdiction: str | None
    alternatives: tuple[Alternative, ...]
    latitude: float | None
    longitude: float | None
    plate_box: tuple[int, int, int, int] | None
    frame_blob: str | None
    crop_blob: str | None


class HoldKind(StrEnum):
    """Why data is kept past retention (§ 46-5-118)."""

    EVIDENCE = "evidence"  # evidence in a case
    LAWFUL_ORDER = "lawful_order"  # search warrant, discovery request or other lawful order
    PRESERVATION = "preservation"  # an outside agency's sworn preservation request


@dataclass(frozen=True)
class PreservationRequest:
    """The sworn statement an outside agency gives to have data preserved."""

    requesting_agency: str
    requesting_person: str
    camera_locations: str
    plate: str
    time_frames: str
    facts: str  # specific facts showing relevance to an ongoing criminal or missing-person case


@dataclass(frozen=True)
class Hold:
    """A legal hold that keeps reads from purge until released."""

    id: int
    kind: HoldKind
    case_number: str
    purpose: str
    reason: str
    created_by: str
    created_at: datetime
    selection: ReadSelection
    read_count: int
    preservation: PreservationRequest | None = None
    released_at: datetime | None = None
    released_by: str | None = None
    release_reason: str | None = None

    @property
    def active(self) -> bool:
        """True while the hold keeps its reads."""
        return self.released_at is None


@dataclass(frozen=True)
class PurgeRun:
    """What one purge did; it holds no plate data."""

    id: int | None
    cutoff: datetime
    started_at: datetime
    finished_at: datetime | None
    dry_run: bool
    reads_purged: int
    images_purged: int
    reads_kept_by_holds: int
    days_shredded: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class HotlistVersion:
    """One load of a hot-list source; alerts point at the version that matched."""

    id: int
    source: str
    loaded_at: datetime
    loaded_by: str
    entry_count: int
    sha256: str
    forced: bool


@dataclass(frozen=True)
class HotlistEntry:
    """A plate (or a partial plate with wildcards) wanted for one of the lawful purposes."""

    id: int
    source: str  # a feed's name, or "manual"
    version_id: int | None  # None for manual entries
    plate: str
    is_pattern: bool
    purpose: str
    record_type: str
    jurisdiction: str | None = None
    plate_type: str | None = None
    nic: str | None = None
    ori: str | None = None
    oca: str | None = None
    case_number: str | None = None
    entered_at: datetime | None = None
    expires_at: datetime | None = None
    entered_by: str | None = None
    notes: str | None = None
    confidential: bool = False
    removed_at: datetime | None = None


@dataclass(frozen=True)
class SourceStatus:
    """Where a hot-list source stands: its current version, its age and whether it is stale."""

    source: str
    version: HotlistVersion | None
    entries: int
    stale: bool
    last_failure: str | None


class AlertStatus(StrEnum):
    """Where an alert stands; only CONFIRMED counts as a confirmed hit (426.4 f)."""

    NEW = "new"
    VIEWED = "viewed"
    VISUALLY_CONFIRMED = "visually_confirmed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class RejectReason(StrEnum):
    """Why an officer rejected a hit."""

    MISREAD = "misread"
    JURISDICTION_MISMATCH = "jurisdiction_mismatch"
    ENTRY_NOT_VALID = "entry_not_valid"
    DUPLICATE = "duplicate"
    OTHER = "other"


class Outcome(StrEnum):
    """What came of a confirmed hit, for the yearly report."""

    STOP_MADE = "stop_made"
    VEHICLE_RECOVERED = "vehicle_recovered"
    ARREST = "arrest"
    NO_ACTION = "no_action"
    OTHER = "other"


@dataclass(frozen=True)
class AlertEvent:
    """One step of an alert's life, with who and when."""

    at: datetime
    actor: str
    event: str
    detail: dict[str, str]


@dataclass(frozen=True)
class Alert:
    """A hit of a read against a hot-list entry, waiting for an officer's confirmation."""

    id: int
    status: AlertStatus
    entry_id: int
    version_id: int | None
    read_id: int | None  # None once the read is purged
    plate: str | None  # the read's plate; cleared with the read at purge
    matched_text: str | None
    kind: str  # exact, ocr_equivalent or wildcard
    score: float
    explanation: str
    jurisdiction_mismatch: bool
    stale: bool
    historical: bool
    hit_count: int
    created_at: datetime
    last_hit_at: datetime  # capture time of its latest read
    outcome: Outcome | None = None
    events: tuple[AlertEvent, ...] = ()
    first_hit_at: datetime | None = None  # capture time of its earliest read
    late: bool = False  # raised for a read captured long before it arrived


@dataclass(frozen=True)
class Member:
    """A member of the department with access to the system; never deleted, only deactivated."""

    id: int
    username: str
    full_name: str
    badge_number: str | None
    roles: frozenset[Role]
    supervisor_id: int | None
    active: bool
    totp_enrolled: bool
    must_change_password: bool
    locked_until: datetime | None
    created_at: datetime
    created_by: str
    deactivated_at: datetime | None = None


@dataclass(frozen=True)
class TrainingRecord:
    """A course a member completed."""

    id: int
    member_id: int
    course: str
    completed_on: datetime
    expires_on: datetime | None
    recorded_by: str


class AgencyType(StrEnum):
    """Who asks: only law enforcement and prosecutors may receive ALPR data (426.7)."""

    LAW_ENFORCEMENT = "law_enforcement"
    PROSECUTOR = "prosecutor"
    OTHER = "other"


class ShareStatus(StrEnum):
    """Where a sharing request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    REFERRED = "referred"  # not an agency we share with: the records-release process answers
    FULFILLED = "fulfilled"


@dataclass(frozen=True)
class ShareRequest:
    """A written request for ALPR data, from another agency or from us to another system."""

    id: int
    direction: str  # incoming or outgoing
    agency: str
    agency_type: AgencyType
    requester: str
    requester_contact: str
    purpose: str
    law_cited: str | None
    case_number: str
    scope: ReadSelection
    received_on: datetime
    document_name: str | None
    document_sha256: str | None
    entered_by: str
    status: ShareStatus
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    approved_scope: ReadSelection | None = None
    reads_at_approval: int | None = None
    fulfilled_by: str | None = None
    fulfilled_at: datetime | None = None
    reads_released: int | None = None
    reads_no_longer_kept: int | None = None
    manifest_sha256: str | None = None
