"""The policy file: its schema, its default and its loading."""

import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from platewarden.policy.access import MACHINE_ROLES, Role

DEFAULT_POLICY_FILE = files("platewarden.policy").joinpath("default_policy.toml")
MAX_POLICY_BYTES = 256 * 1024


class PolicyError(Exception):
    """The policy file is missing, unreadable or invalid."""


class _Strict(BaseModel):
    # strict: a value of the wrong type ("90", "yes") is an error, never converted or dropped.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PurposeDef(_Strict):
    """One lawful purpose of use."""

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: Annotated[str, Field(min_length=1)]


class RetentionRules(_Strict):
    """How long reads and images are kept when not held."""

    days: Annotated[int, Field(ge=1, le=3650)]


class HotlistRules(_Strict):
    """How fresh a hot list must be, and how loads and manual entries are checked."""

    max_age_hours: Annotated[int, Field(ge=1, le=24 * 30)]
    refresh_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 24
    min_kept_fraction: Annotated[float, Field(ge=0, le=1)] = 0.5
    manual_expiry_days: Annotated[int, Field(ge=1, le=3650)] = 30
    record_types: dict[str, str] = Field(default_factory=dict)


class MatchingRules(_Strict):
    """How reads are compared with hot-list entries."""

    confusable_classes: list[Annotated[str, Field(pattern=r"^[A-Z0-9]{2,}$")]] = Field(
        default_factory=list
    )
    max_substitutions: Annotated[int, Field(ge=0, le=3)] = 1
    min_fixed_chars: Annotated[int, Field(ge=1, le=10)] = 3


class AlertRules(_Strict):
    """How alerts are raised."""

    fold_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = 10


class AccessRules(_Strict):
    """Log-on, lockout, sessions and the second factor."""

    password_min_length: Annotated[int, Field(ge=8, le=128)] = 12
    lockout_attempts: Annotated[int, Field(ge=1, le=5)] = 5
    lockout_minutes: Annotated[int, Field(ge=10, le=24 * 60)] = 10
    session_idle_minutes: Annotated[int, Field(ge=1, le=30)] = 30
    # A session ends this long after log-on, however active: a stolen token does not live on.
    session_absolute_hours: Annotated[int, Field(ge=1, le=24)] = 12
    totp_roles: list[str] = Field(default_factory=lambda: ["administrator", "auditor"])
    totp_everyone: bool = False


class CameraRules(_Strict):
    """When a camera counts as offline."""

    offline_after_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 30


class TrainingRules(_Strict):
    """The course each role needs, and how long a completion counts."""

    valid_months: Annotated[int, Field(ge=1, le=120)] = 12
    courses: dict[str, str] = Field(default_factory=dict)


class AuditRules(_Strict):
    """What the audit review flags."""

    many_searches_per_day: Annotated[int, Field(ge=1)] = 50
    unusual_hour_share: Annotated[float, Field(ge=0, le=1)] = 0.02


class SharingRules(_Strict):
    """How other agencies' requests are reviewed."""

    separate_reviewer: bool = True


class Policy(_Strict):
    """The agency's ALPR policy, as the software enforces it."""

    agency: Annotated[str, Field(min_length=1)]
    retention: RetentionRules
    hotlists: HotlistRules
    purposes: Annotated[list[PurposeDef], Field(min_length=1)]
    matching: MatchingRules = Field(default_factory=MatchingRules)
    alerts: AlertRules = Field(default_factory=AlertRules)
    access: AccessRules = Field(default_factory=AccessRules)
    cameras: CameraRules = Field(default_factory=CameraRules)
    training: TrainingRules = Field(default_factory=TrainingRules)
    audit: AuditRules = Field(default_factory=AuditRules)
    sharing: SharingRules = Field(default_factory=SharingRules)

    @field_validator("purposes")
    @classmethod
    def _codes_are_unique(cls, purposes: list[PurposeDef]) -> list[PurposeDef]:
        codes = [p.code for p in purposes]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"purpose codes appear more than once: {', '.join(duplicates)}")
        return purposes

    @model_validator(mode="after")
    def _roles_are_known_and_trained(self) -> "Policy":
        roles = {role.value for role in Role if role not in MACHINE_ROLES}
        problems = []
        unknown_totp = sorted(set(self.access.totp_roles) - roles)
        if unknown_totp:
            problems.append(f"access.totp_roles names unknown roles: {', '.join(unknown_totp)}")
        unknown_courses = sorted(set(self.training.courses) - roles)
        if unknown_courses:
            problems.append(f"training.courses names unknown roles: {', '.join(unknown_courses)}")
        untrained = sorted(roles - set(self.training.courses))
        if untrained:
            problems.append(
                f"training.courses has no course for the roles: {', '.join(untrained)} "
                "(every role needs its course: 426.4 d)"
            )
        empty = sorted(role for role, course in self.training.courses.items() if not course.strip())
        if empty:
            problems.append(f"training.courses has an empty course name for: {', '.join(empty)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _record_types_name_purposes(self) -> "Policy":
        codes = {p.code for p in self.purposes}
        unknown = sorted(
            f"{k!r} -> {v!r}" for k, v in self.hotlists.record_types.items() if v not in codes
        )
        if unknown:
            raise ValueError(f"hotlists.record_types map to unknown purposes: {', '.join(unknown)}")
        return self

    def purpose(self, code: str) -> PurposeDef | None:
        """Return the purpose with this code, or None when the policy has no such purpose."""
        return next((p for p in self.purposes if p.code == code), None)


def load_policy(path: Path | None = None) -> Policy:
    """Load and validate a policy file; the packaged default when no path is given."""
    return parse_policy(read_policy_text(path), str(path) if path else "the default policy")


def read_policy_text(path: Path | None = None) -> str:
    """Return a policy file's text; the packaged default's when no path is given."""
    source = str(path) if path else "the default policy"
    try:
        if path is None:
            data = DEFAULT_POLICY_FILE.read_bytes()
        else:
            with path.open("rb") as file:  # a device or a huge file is read no further
                data = file.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {source}: {exc.strerror or exc}") from exc
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"policy file {source} is over {MAX_POLICY_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(
            f"policy file {source} is not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})"
        ) from None


def parse_policy(text: str, source: str) -> Policy:
    """Validate a policy's TOML text; `source` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file {source} is not valid TOML: {exc}") from exc
    except RecursionError:
        raise PolicyError(f"policy file {source} nests tables or arrays too deeply") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise PolicyError(f"policy file {source} is invalid: {problems}") from exc
