"""Members, log-on and training: the attacks and lapses of issue 5, each refused and audited."""

from datetime import timedelta

import pyotp
import pytest
from tests.factories import PASSWORD, FixedClock, actor, member

from platewarden.policy.access import Role
from platewarden.services import auth, members
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.hotlists import list_entries
from platewarden.services.runtime import Runtime
from platewarden.store.audit import audit_entries

ADMIN = actor(Role.ADMINISTRATOR, name="admin")


def audited(rt: Runtime, action: str) -> list:
    with rt.engine.connect() as conn:
        return [e for _, e in audit_entries(conn, action=action)]


def test_first_administrator_only_on_an_empty_system(runtime: Runtime, clock: FixedClock) -> None:
    admin, enrollment = members.create_first_administrator(
        runtime,
        username="chief.admin",
        full_name="Pat Admin",
        password=PASSWORD,
        course_completed_on=clock.now() - timedelta(days=3),
    )
    assert admin.roles == {Role.ADMINISTRATOR}
    code = pyotp.TOTP(enrollment.secret).at(clock.now())
    session = auth.log_on(runtime, username="chief.admin", password=PASSWORD, totp_code=code)
    assert session.actor.roles == {Role.ADMINISTRATOR}  # trained by the first run
    with pytest.raises(AccessDeniedError, match="exists already"):
        members.create_first_administrator(
            runtime,
            username="second",
            full_name="X",
            password=PASSWORD,
            course_completed_on=clock.now(),
        )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "at least 12 characters"),
        ("password1234", "common passwords"),
        ("qwertyuiop123", "common passwords"),
        ("jdoe-is-my-name", "must not contain the user name"),
        ("aaaaaaaaaaaaab", "too few different characters"),
    ],
)
def test_weak_passwords_are_refused(runtime: Runtime, password: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        members.add_member(
            runtime,
            ADMIN,
            username="jdoe",
            full_name="J Doe",
            password=password,
            roles=[Role.OFFICER],
        )


def test_five_wrong_passwords_lock_the_account_for_ten_minutes(
    runtime: Runtime, clock: FixedClock
) -> None:
    member(runtime, "officer1", Role.OFFICER)
    for _ in range(5):
        with pytest.raises(auth.LogonError, match="wrong user name or password"):
            auth.log_on(runtime, username="officer1", password="not-the-password")
    with pytest.raises(auth.LogonError, match="account locked until"):
        auth.log_on(runtime, username="officer1", password=PASSWORD)
    clock.advance(minutes=10)
    assert auth.log_on(runtime, username="officer1", password=PASSWORD).actor.name == "officer1"
    failures = [e for e in audited(runtime, "logon") if e.outcome == "failed"]
    assert len(failures) == 6
    assert "account locked for 10 minutes" in failures[4].reason


def test_unknown_and_deactivated_members_cannot_log_on(runtime: Runtime) -> None:
    member(runtime, "leaver", Role.OFFICER)
    members.deactivate(runtime, ADMIN, username="leaver", reason="retired")
    with pytest.raises(auth.LogonError, match="deactivated"):
        auth.log_on(runtime, username="leaver", password=PASSWORD)
    with pytest.raises(auth.LogonError, match="wrong user name or password"):
        auth.log_on(runtime, username="nobody", password=PASSWORD)
    assert [e.reason for e in audited(runtime, "logon") if e.outcome == "failed"] == [
        "member is deactivated",
        "unknown user name",
    ]
    assert "leaver" in [m.username for m in members.list_members(runtime, ADMIN)]


def test_administrators_need_a_fresh_second_factor(runtime: Runtime, clock: FixedClock) -> None:
    members.add_member(
        runtime,
        ADMIN,
        username="admin2",
        full_name="A Two",
        password=PASSWORD,
        roles=[Role.ADMINISTRATOR],
    )
    with pytest.raises(auth.LogonError, match="not enrolled"):
        auth.log_on(runtime, username="admin2", password=PASSWORD)
    secret = members.enroll_totp(runtime, ADMIN, username="admin2").secret
    with pytest.raises(auth.LogonError, match="code required"):
        auth.log_on(runtime, username="admin2", password=PASSWORD)
    code = pyotp.TOTP(secret).at(clock.now())
    assert auth.log_on(runtime, username="admin2", password=PASSWORD, totp_code=code)
    with pytest.raises(auth.LogonError, match="already used"):
        auth.log_on(runtime, username="admin2", password=PASSWORD, totp_code=code)
    stale = pyotp.TOTP(secret).at(clock.now() - timedelta(minutes=5))
    with pytest.raises(auth.LogonError, match="wrong or expired"):
        auth.log_on(runtime, username="admin2", password=PASSWORD, totp_code=stale)


def test_an_idle_session_ends(runtime: Runtime, clock: FixedClock) -> None:
    member(runtime, "patrol", Role.OFFICER)
    session = auth.log_on(runtime, username="patrol", password=PASSWORD)
    clock.advance(minutes=29)
    assert auth.resume(runtime, session.token).name == "patrol"
    clock.advance(minutes=31)
    with pytest.raises(auth.LogonError, match="idle more than 30 minutes"):
        auth.resume(runtime, session.token)
    with pytest.raises(auth.LogonError, match="not logged on"):
        auth.resume(runtime, session.token)


def test_a_role_grants_nothing_without_current_training(
    runtime: Runtime, clock: FixedClock
) -> None:
    untrained = member(runtime, "rookie", Role.OFFICER, trained=False)
    with pytest.raises(AccessDeniedError, match="course 'ALPR operator' is not on record"):
        list_entries(runtime, untrained)
    members.record_training(
        runtime,
        ADMIN,
        username="rookie",
        course="ALPR operator",
        completed_on=clock.now() - timedelta(days=10),
        expires_on=clock.now() + timedelta(minutes=20),
    )
    session = auth.log_on(runtime, username="rookie", password=PASSWORD)
    assert list_entries(runtime, auth.resume(runtime, session.token)) == []
    clock.advance(minutes=25)  # the training lapses mid-session
    lapsed = auth.resume(runtime, session.token)
    with pytest.raises(AccessDeniedError, match="course 'ALPR operator' expired on"):
        list_entries(runtime, lapsed)


def test_confidential_grant_is_separate_and_recorded(runtime: Runtime) -> None:
    member(runtime, "det", Role.INVESTIGATOR)
    members.grant_confidential(runtime, ADMIN, username="det", reason="task force 26-3")
    assert auth.log_on(runtime, username="det", password=PASSWORD).actor.confidential_access
    members.revoke_confidential(runtime, ADMIN, username="det")
    assert not auth.log_on(runtime, username="det", password=PASSWORD).actor.confidential_access
    assert [e.action for e in audited(runtime, "grant_confidential")] == ["grant_confidential"]


def test_role_changes_and_resets_are_audited(runtime: Runtime) -> None:
    member(runtime, "mover", Role.OFFICER)
    members.set_roles(runtime, ADMIN, username="mover", roles=[Role.INVESTIGATOR])
    members.reset_password(runtime, ADMIN, username="mover", new_password="N3w-Temporary-Pass")
    (change,) = audited(runtime, "set_roles")
    assert change.parameters == {"member": "mover", "from": ["officer"], "to": ["investigator"]}
    assert len(audited(runtime, "reset_password")) == 1
    assert auth.log_on(
        runtime, username="mover", password="N3w-Temporary-Pass"
    ).must_change_password


def test_an_officer_may_not_manage_members(runtime: Runtime) -> None:
    officer = member(runtime, "o1", Role.OFFICER)
    with pytest.raises(AccessDeniedError, match="manage_members"):
        members.add_member(
            runtime, officer, username="x", full_name="X", password=PASSWORD, roles=[Role.OFFICER]
        )
