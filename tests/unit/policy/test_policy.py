"""The policy file: the department's defaults, and clear refusals of a bad file."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from platewarden.policy import PolicyError, load_policy
from platewarden.policy.access import Action, Role, check_role
from platewarden.policy.purposes import check_purpose
from platewarden.policy.retention import retention_cutoff


def test_default_policy_has_the_seven_purposes_90_days_and_24_hours() -> None:
    policy = load_policy()
    assert len(policy.purposes) == 7
    assert policy.retention.days == 90
    assert policy.hotlists.max_age_hours == 24
    now = datetime(2026, 11, 28, tzinfo=UTC)
    assert retention_cutoff(policy, now) == datetime(2026, 8, 30, tzinfo=UTC)


def test_agency_file_changes_retention(tmp_path: Path) -> None:
    text = (Path(__file__).parents[3] / "src/platewarden/policy/default_policy.toml").read_text()
    path = tmp_path / "policy.toml"
    path.write_text(text.replace("days = 90", "days = 30"))
    assert load_policy(path).retention.days == 30


HOTLISTS = "hotlists = {max_age_hours = 24}\n"
ONE_PURPOSE = 'purposes = [{code = "a", title = "A"}]\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("agency = ", "is not valid TOML"),
        ('agency = "X"\n', "retention: Field required"),
        (
            'agency = "X"\nretention = {days = 0}\n' + HOTLISTS + ONE_PURPOSE,
            "retention.days: Input should be greater than or equal to 1",
        ),
        (
            'agency = "X"\nretention = {days = 9}\n'
            + HOTLISTS
            + 'purposes = [{code = "a", title = "A"}, {code = "a", title = "B"}]\n',
            "purpose codes appear more than once: a",
        ),
        (
            'agency = "X"\nretention = {days = 9, keep = true}\n' + HOTLISTS + ONE_PURPOSE,
            "retention.keep: Extra inputs are not permitted",
        ),
    ],
)
def test_invalid_policy_file_is_refused_with_a_clear_message(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_policy(path)


def test_missing_policy_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"cannot read policy file .*nope.toml"):
        load_policy(tmp_path / "nope.toml")


def test_purpose_check_needs_a_known_purpose_and_case() -> None:
    policy = load_policy()
    assert check_purpose(policy, "stolen_vehicle", "26-001").allowed
    assert not check_purpose(policy, "stolen_vehicle", "no spaces").allowed


def test_role_denial_says_which_roles_would_allow() -> None:
    decision = check_role(frozenset({Role.OFFICER}), Action.PURGE)
    assert not decision.allowed
    assert (
        decision.reason == "purge needs one of the roles records_custodian, system; held: officer"
    )
