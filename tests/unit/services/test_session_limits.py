"""Sessions end when idle past the policy's minutes, and at its absolute limit however active."""

import pytest
from tests.factories import PASSWORD, FixedClock, member

from platewarden.policy.access import Role
from platewarden.services import auth
from platewarden.services.auth import LogonError, LogonReason
from platewarden.services.runtime import Runtime


def _token(rt: Runtime) -> str:
    member(rt, "ofc.lee", Role.OFFICER)
    return auth.log_on(rt, username="ofc.lee", password=PASSWORD).token


def test_a_session_idle_past_the_policys_minutes_ends(runtime: Runtime, clock: FixedClock) -> None:
    token = _token(runtime)
    clock.advance(minutes=runtime.policy.access.session_idle_minutes - 1)
    assert auth.resume(runtime, token).name == "ofc.lee"
    clock.advance(minutes=runtime.policy.access.session_idle_minutes + 1)
    with pytest.raises(LogonError, match="idle") as refused:
        auth.resume(runtime, token)
    assert refused.value.reason == LogonReason.SESSION_ENDED


def test_an_active_session_ends_at_the_absolute_limit(runtime: Runtime, clock: FixedClock) -> None:
    token = _token(runtime)
    hours = runtime.policy.access.session_absolute_hours
    assert hours == 12, "the packaged policy's limit"
    for _ in range(hours * 3 - 1):  # active every 20 minutes: never idle
        clock.advance(minutes=20)
        assert auth.resume(runtime, token).name == "ofc.lee"
    clock.advance(minutes=20, seconds=1)
    with pytest.raises(LogonError, match="at most 12 hours") as refused:
        auth.resume(runtime, token)
    assert refused.value.reason == LogonReason.SESSION_ENDED
    with pytest.raises(LogonError) as again:
        auth.resume(runtime, token)
    assert again.value.reason == LogonReason.NOT_LOGGED_ON, "the ended session stays ended"


def test_checking_a_session_without_touching_it_lets_an_unattended_page_lock(
    runtime: Runtime, clock: FixedClock
) -> None:
    token = _token(runtime)
    idle = runtime.policy.access.session_idle_minutes
    for _ in range(idle):  # an open alert stream polls every minute while nobody is there
        clock.advance(minutes=1)
        assert auth.resume(runtime, token, touch=False).name == "ofc.lee"
    clock.advance(minutes=1)
    with pytest.raises(LogonError, match="idle"):
        auth.resume(runtime, token, touch=False)
