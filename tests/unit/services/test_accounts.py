"""Members, log-on and training: the attacks and lapses of issue 5, each refused and audited."""

from datetime import timedelta

import pyotp
import pytest
from tests.factories import PASSWORD, FixedClock, actor, member

from platewarden.policy.access import Role
from platewarden.services import auth, members
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.runtime import Runtime
from platewarden.store import members as store_members
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


WRONG = "wrong user name, password or second factor code"


def test_five_wrong_passwords_lock_the_account_for_ten_minutes(
    runtime: Runtime, clock: FixedClock
) -> None:
    member(runtime, "officer1", Role.OFFICER)
    for _ in range(4):
        with pytest.raises(auth.LogonError, match="wrong user name, password or second factor"):
            auth.log_on(runtime, username="officer1", password="not-the-password")
    with pytest.raises(auth.LogonError, match="the account is now locked for 10 minutes"):
        auth.log_on(runtime, username="officer1", password="not-the-password")
    with pytest.raises(auth.LogonError, match="account is locked until"):
        auth.log_on(runtime, username="officer1", password=PASSWORD)
    clock.advance(minutes=10)
    assert auth.log_on(runtime, username="officer1", password=PASSWORD).actor.name == "officer1"
    failures = [e for e in audited(runtime, "logon") if e.outcome == "failed"]
    assert len(failures) == 6
    assert "account is now locked for 10 minutes" in failures[4].reason


def test_unknown_and_deactivated_members_cannot_log_on(runtime: Runtime) -> None:
    member(runtime, "leaver", Role.OFFICER)
    members.deactivate(runtime, ADMIN, username="leaver", reason="retired")
    with pytest.raises(auth.LogonError, match="deactivated"):
        auth.log_on(runtime, username="leaver", password=PASSWORD)
    with pytest.raises(auth.LogonError, match="wrong user name, password or second factor"):
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
    with pytest.raises(auth.LogonError, match=WRONG):
        auth.log_on(runtime, username="admin2", password=PASSWORD)
    code = pyotp.TOTP(secret).at(clock.now())
    assert auth.log_on(runtime, username="admin2", password=PASSWORD, totp_code=code)
    with pytest.raises(auth.LogonError, match=WRONG):
        auth.log_on(runtime, username="admin2", password=PASSWORD, totp_code=code)
    stale = pyotp.TOTP(secret).at(clock.now() - timedelta(minutes=5))
    with pytest.raises(auth.LogonError, match=WRONG):
        auth.log_on(runtime, username="admin2", password=PASSWORD, totp_code=stale)
    reasons = [e.reason for e in audited(runtime, "logon") if e.outcome == "failed"]
    assert reasons[1:] == [
        "second factor code missing",
        "second factor code already used",
        "wrong or expired second factor code",
    ], "the audit trail keeps the exact reason the member is not told"


def test_wrong_codes_count_toward_the_lockout_like_wrong_passwords(runtime: Runtime) -> None:
    members.add_member(
        runtime, ADMIN, username="admin3", full_name="A", password=PASSWORD, roles=[Role.AUDITOR]
    )
    members.enroll_totp(runtime, ADMIN, username="admin3")
    for _ in range(2):
        with pytest.raises(auth.LogonError, match=WRONG):
            auth.log_on(runtime, username="admin3", password="wrong-password-x")
    for _ in range(2):
        with pytest.raises(auth.LogonError, match=WRONG):
            auth.log_on(runtime, username="admin3", password=PASSWORD, totp_code="000000")
    with pytest.raises(auth.LogonError, match="now locked for 10 minutes"):
        auth.log_on(runtime, username="admin3", password=PASSWORD, totp_code="999999")


def test_an_unknown_name_gets_the_same_answers_as_a_member(runtime: Runtime) -> None:
    member(runtime, "real", Role.OFFICER)
    answers = {}
    for name in ("real", "ghost"):
        told = []
        for _ in range(6):
            with pytest.raises(auth.LogonError) as refused:
                auth.log_on(runtime, username=name, password="not-the-password")
            told.append(str(refused.value))
        answers[name] = told
    assert answers["real"] == answers["ghost"]
    assert answers["ghost"][4].endswith("the account is now locked for 10 minutes")
    assert "locked until" in answers["ghost"][5]


def test_an_unknown_name_is_checked_against_a_hash_of_the_members_cost(
    runtime: Runtime,
) -> None:
    member(runtime, "real", Role.OFFICER)
    with runtime.engine.connect() as conn:
        stored = store_members.credentials(conn, username="real")
    assert stored is not None
    cost = stored["password_hash"].rsplit("$", 2)[0]  # $argon2id$v=19$m=…,t=…,p=…
    assert auth._dummy_hash().rsplit("$", 2)[0] == cost
