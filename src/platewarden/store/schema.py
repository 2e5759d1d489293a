"""The tables. Migrations under migrations/ must match this file (a test checks)."""

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects import postgresql

from platewarden.store.image_ids import ImageId
from platewarden.store.types import UTCDateTime


def text_length(column: Column[Any]) -> int:
    """Return how many characters a string column holds: a longer value is refused before."""
    if not isinstance(column.type, String) or column.type.length is None:
        raise TypeError(f"{column} has no length")
    return column.type.length


# Integer on SQLite keeps ROWID aliasing (fast inserts); BIGINT on PostgreSQL for billions of reads.
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

cameras = Table(
    "cameras",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("location", String(200)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("heading", Float),
    Column("created_at", UTCDateTime, nullable=False),
    # The capture time of the newest frame or read heard from the camera, to the minute.
    Column("last_seen_at", UTCDateTime),
)

reads = Table(
    "reads",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(20), nullable=False),
    Column("source_name", String(100), nullable=False),
    Column("client_read_id", String(100), nullable=False),
    Column("camera_id", Integer, ForeignKey("cameras.id")),
    Column("plate", String(16), nullable=False),
    Column("jurisdiction", String(8)),
    Column("confidence", Float, nullable=False),
    Column("alternatives", JSON, nullable=False),
    Column("captured_at", UTCDateTime, nullable=False),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("plate_box", JSON),
    Column("frame_blob", ImageId),  # the image store's ids of its frame and crop, packed
    Column("crop_blob", ImageId),
    Column("area_cell", Integer),  # store.plate_index.area_cell: an indexed grid for areas
    # A re-sent batch (a patrol car that lost its connection) must not make duplicates. The
    # capture time is part of a read's identity: PostgreSQL partitions reads by it.
    UniqueConstraint("source", "source_name", "client_read_id", "captured_at"),
    Index(None, "plate", "captured_at"),
    Index(None, "captured_at"),
    Index(None, "camera_id", "captured_at"),
    Index(None, "area_cell", "captured_at"),
)

# Derived from reads (store.plate_index), so that plate searches are index look-ups.
read_plates = Table(
    "read_plates",
    metadata,
    Column("plate", String(16), primary_key=True),  # an OCR alternative, not the best plate
    Column("captured_at", UTCDateTime, primary_key=True),
    Column("read_id", BigId, primary_key=True),
    sqlite_with_rowid=False,
)

plates = Table(
    "plates",
    metadata,
    Column("plate", String(16), primary_key=True),  # each best plate some stored read has
    # The first and latest UTC capture days of a read with it: a plate search reads those days.
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    # On PostgreSQL the days themselves, while a plate has few (plate_index.PlateDays): a plate
    # read on 5 days over 90 is looked up in 5 day partitions, not in every day between.
    Column("days", postgresql.ARRAY(Date).with_variant(JSON(), "sqlite")),
    Index(None, "last_day"),
    sqlite_with_rowid=False,
)

# A plate's grams (plate_index.plate_grams_of), for wildcard search. SQLite files a row a gram.
plate_grams = Table(
    "plate_grams",
    metadata,
    Column("gram", Integer, primary_key=True, autoincrement=False),
    Column("plate", String(16), primary_key=True),
    sqlite_with_rowid=False,
    info={"backend": "sqlite"},
)
# PostgreSQL files a plate's grams in one row under a GIN index: a dozen gram rows a plate
# cost about 880 bytes and, at 10 M reads, a dozen random pages of a large B-tree written for
# every new plate; GIN takes new entries into its pending list and files them in bulk.
plate_gram_lists = Table(
    "plate_gram_lists",
    metadata,
    Column("plate", String(16), primary_key=True),
    Column("grams", postgresql.ARRAY(Integer), nullable=False),
    Index(None, "grams", postgresql_using="gin"),
    info={"backend": "postgresql"},
)

holds = Table(
    "holds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("case_number", String(64), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("selection", JSON, nullable=False),
    Column("preservation", JSON),
    Column("read_count", Integer, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("released_at", UTCDateTime),
    Column("released_by", String(100)),
    Column("release_reason", Text),
)

hold_reads = Table(
    "hold_reads",
    metadata,
    Column("hold_id", Integer, ForeignKey("holds.id"), primary_key=True),
    Column("read_id", BigId, primary_key=True),
    Index(None, "read_id"),
)

day_keys = Table(
    "day_keys",
    metadata,
    Column("day", String(10), primary_key=True),  # UTC capture day, YYYY-MM-DD
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

purge_runs = Table(
    "purge_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cutoff", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("dry_run", Boolean, nullable=False),
    Column("reads_purged", Integer, nullable=False),
    Column("images_purged", Integer, nullable=False),
    Column("reads_kept_by_holds", Integer, nullable=False),
    Column("days_shredded", JSON, nullable=False),
)

exports = Table(
    "exports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hold_id", Integer, ForeignKey("holds.id"), nullable=False),
    Column("evidence_number", String(64), nullable=False),
    Column("exported_by", String(100), nullable=False),
    Column("exported_at", UTCDateTime, nullable=False),
    Column("destination", Text, nullable=False),
    Column("read_count", Integer, nullable=False),
    Column("manifest_sha256", String(64), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("purpose", String(64)),
    Column("case_number", String(64)),
    Column("parameters", JSON, nullable=False),
    Column("result_count", Integer),
    Column("client_address", String(64)),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Index(None, "actor", "at"),
    Index(None, "case_number"),
    Index(None, "action", "at"),
)

hotlist_versions = Table(
    "hotlist_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(100), nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
    Column("loaded_by", String(100), nullable=False),
    Column("entry_count", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("forced", Boolean, nullable=False),
    Index(None, "source", "loaded_at"),
)

hotlist_entries = Table(
    "hotlist_entries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(100), nullable=False),
    Column("version_id", Integer, ForeignKey("hotlist_versions.id")),
    Column("plate", String(16), nullable=False),
    Column("is_pattern", Boolean, nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("record_type", String(64), nullable=False),
    Column("jurisdiction", String(8)),
    Column("plate_type", String(16)),
    Column("nic", String(32)),
    Column("ori", String(32)),
    Column("oca", String(64)),
    Column("case_number", String(64)),
    Column("entered_at", UTCDateTime),
    Column("expires_at", UTCDateTime),
    Column("entered_by", String(100)),
    Column("notes", Text),
    Column("confidential", Boolean, nullable=False),
    Column("removed_at", UTCDateTime),
    Column("removed_by", String(100)),
    Column("removal_reason", Text),
    Index(None, "version_id"),
    Index(None, "plate"),
)

# One row: bumped by every change of the hot lists, so that each process knows when to rebuild
# its in-memory index.
hotlist_generation = Table(
    "hotlist_generation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
)

notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("message", Text, nullable=False),
    Column("resolved_at", UTCDateTime),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("status", String(24), nullable=False),
    Column("entry_id", BigId, ForeignKey("hotlist_entries.id"), nullable=False),
    Column("version_id", Integer, ForeignKey("hotlist_versions.id")),
    Column("read_id", BigId),
    Column("plate", String(16)),
    Column("matched_text", String(16)),
    Column("kind", String(20), nullable=False),
    Column("score", Float, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("jurisdiction_mismatch", Boolean, nullable=False),
    Column("stale", Boolean, nullable=False),
    Column("historical", Boolean, nullable=False),
    Column("hit_count", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("first_hit_at", UTCDateTime, nullable=False),  # capture time of its earliest read
    Column("last_hit_at", UTCDateTime, nullable=False),  # capture time of its latest read
    Column("late", Boolean, nullable=False, server_default=false()),  # raised for an old read
    Column("outcome", String(24)),
    Index(None, "entry_id", "plate", "last_hit_at"),
    Index(None, "status", "created_at"),
    Index(None, "read_id"),
)

alert_reads = Table(
    "alert_reads",
    metadata,
    Column("alert_id", BigId, ForeignKey("alerts.id"), primary_key=True),
    Column("read_id", BigId, primary_key=True),
    Index(None, "read_id"),
)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", BigId, ForeignKey("alerts.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("event", String(32), nullable=False),
    Column("detail", JSON, nullable=False),
    Index(None, "alert_id"),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("badge_number", String(32)),
    Column("roles", JSON, nullable=False),
    Column("supervisor_id", Integer, ForeignKey("members.id")),
    Column("password_hash", Text, nullable=False),
    Column("password_changed_at", UTCDateTime, nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("totp_secret", LargeBinary),  # sealed with the master key
    Column("totp_last_step", BigInteger),  # a code's time step is accepted once (no replay)
    Column("failed_logons", Integer, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("deactivated_at", UTCDateTime),
    Column("deactivated_by", String(100)),
)

training_records = Table(
    "training_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("course", String(100), nullable=False),
    Column("completed_on", UTCDateTime, nullable=False),
    Column("expires_on", UTCDateTime),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index(None, "member_id", "course"),
)

grants = Table(
    "grants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("kind", String(32), nullable=False),  # confidential_data
    Column("reason", Text, nullable=False),
    Column("granted_by", String(100), nullable=False),
    Column("granted_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("revoked_by", String(100)),
    Index(None, "member_id", "kind"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("end_reason", String(32)),
    Column("client_address", String(64)),
    # The OS user and installation the token was issued to: a token copied elsewhere is refused.
    Column("bound_to", String(64)),
)

# Failed log-ons under names that are no member's: counted and locked like a member's, so the
# answers do not tell which names exist.
unknown_logons = Table(
    "unknown_logons",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("failed_logons", Integer, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("last_failed_at", UTCDateTime, nullable=False),
)

camera_maintenance = Table(
    "camera_maintenance",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("camera_id", Integer, ForeignKey("cameras.id"), nullable=False),
    Column("done_on", UTCDateTime, nullable=False),
    Column("kind", String(20), nullable=False),  # install, repair, calibration, firmware, cleaning
    Column("performed_by", String(100), nullable=False),
    Column("notes", Text),
    Column("next_due", UTCDateTime),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index(None, "camera_id", "kind", "done_on"),
)

audit_reviews = Table(
    "audit_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("period_start", UTCDateTime, nullable=False),
    Column("period_end", UTCDateTime, nullable=False),
    Column("sample_size", Integer, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
)

audit_review_items = Table(
    "audit_review_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("audit_reviews.id"), nullable=False),
    Column("audit_id", BigId, ForeignKey("audit_log.id"), nullable=False),
    Column("finding", String(16)),  # justified, not_justified; None until reviewed
    Column("notes", Text),
    Column("reviewed_by", String(100)),
    Column("reviewed_at", UTCDateTime),
    Index(None, "review_id"),
)

share_requests = Table(
    "share_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("direction", String(10), nullable=False),  # incoming (426.7) or outgoing (426.3.1 g)
    Column("agency", String(200), nullable=False),
    Column("agency_type", String(20), nullable=False),  # law_enforcement, prosecutor, other
    Column("requester", String(200), nullable=False),
    Column("requester_contact", String(200), nullable=False),
    Column("purpose", String(64), nullable=False),  # a policy purpose, or other_lawful
    Column("law_cited", Text),
    Column("case_number", String(64), nullable=False),
    Column("scope", JSON, nullable=False),
    Column("received_on", UTCDateTime, nullable=False),
    Column("document_name", String(200)),
    Column("document", LargeBinary),  # the written request, sealed with the master key
    Column("document_sha256", String(64)),
    Column("entered_by", String(100), nullable=False),
    Column("entered_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # pending, approved, denied, referred, fulfilled
    Column("decided_by", String(100)),
    Column("decided_at", UTCDateTime),
    Column("decision_reason", Text),
    Column("approved_scope", JSON),
    Column("reads_at_approval", Integer),  # reads the approved scope held when approved
    Column("fulfilled_by", String(100)),
    Column("fulfilled_at", UTCDateTime),
    Column("reads_released", Integer),
    Column("reads_no_longer_kept", Integer),
    Column("manifest_sha256", String(64)),
    Index(None, "direction", "received_on"),
    Index(None, "status"),
)

# The policy in force (426.6 d): each version an administrator applied, the newest in force.
policy_versions = Table(
    "policy_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("sha256", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("source", String(200), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
    Column("applied_by", String(100), nullable=False),
    Column("reason", Text, nullable=False),
)

# One row: this installation's identity and the hash of its service account's credential.
installation = Table(
    "installation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("installation_id", String(32), nullable=False),
    Column("service_key_sha256", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Cameras and other ALPR systems that push to the API: each a token (kept hashed) scoped to
# ingest for one camera or one source, and nothing else.
devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("camera_id", Integer, ForeignKey("cameras.id")),
    Column("source_name", String(100)),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("revoked_by", String(100)),
    # A patrol-car unit's key for signing its hot-list copies, sealed with the master key;
    # NULL for a camera or a source, which get no hot lists.
    Column("sync_key", LargeBinary),
)

# The durable queue of camera frames: stored (encrypted) before a camera is told so, taken by
# recognition workers under a lease, removed once their reads are stored.
frames = Table(
    "frames",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("camera_id", Integer, ForeignKey("cameras.id"), nullable=False),
    Column("client_frame_id", String(100), nullable=False),
    Column("blob_id", String(80), nullable=False),
    Column("captured_at", UTCDateTime, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("heading", Float),
    Column("received_at", UTCDateTime, nullable=False),
    Column("leased_until", UTCDateTime),
    Column("attempts", Integer, nullable=False),
    UniqueConstraint("device_id", "client_frame_id"),
    Index(None, "leased_until", "id"),
)


# On a patrol-car unit's laptop (its own database): where its copy of the hot lists stands,
# and the reads the station acknowledged that are kept for the car's own alerts.
unit_state = Table(
    "unit_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

unit_forwarded = Table(
    "unit_forwarded",
    metadata,
    Column("read_id", BigId, primary_key=True),
    Column("client_read_id", String(100), nullable=False),
    Column("forwarded_at", UTCDateTime, nullable=False),
)

# At the station: what its patrol-car units forwarded besides their reads. The unit's own audit
# records (every access in the car), stored as the unit wrote them, once each.
unit_audit = Table(
    "unit_audit",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("entry_id", BigInteger, nullable=False),  # the record's id in the unit's trail
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("purpose", String(64)),
    Column("case_number", String(64)),
    Column("parameters", JSON, nullable=False),
    Column("result_count", Integer),
    Column("hash", String(64), nullable=False),  # the unit's chain hash, to check its trail
    Column("prev_hash", String(64), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    UniqueConstraint("device_id", "entry_id"),
    Index(None, "actor", "at"),
)

# The station's alert for each alert a unit raised, and the unit's alert events applied to it.
unit_alerts = Table(
    "unit_alerts",
    metadata,
    Column("device_id", Integer, ForeignKey("devices.id"), primary_key=True),
    Column("unit_alert_id", BigInteger, primary_key=True),
    Column("alert_id", BigId, ForeignKey("alerts.id"), nullable=False),
)

unit_alert_events = Table(
    "unit_alert_events",
    metadata,
    Column("device_id", Integer, ForeignKey("devices.id"), primary_key=True),
    Column("unit_event_id", BigInteger, primary_key=True),
    Column("event_id", BigId, ForeignKey("alert_events.id"), nullable=False),
)

# On the unit: reads the station refused (a 4xx other than 429), kept encrypted, out of the
# queue, for an administrator to look at.
unit_set_aside = Table(
    "unit_set_aside",
    metadata,
    Column("read_id", BigId, primary_key=True),
    Column("client_read_id", String(100), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("set_aside_at", UTCDateTime, nullable=False),
)
