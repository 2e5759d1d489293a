"""The sliding window: at most `limit` requests of a key in any window, on an injected clock."""

from pathlib import Path

import pytest

from platewarden.api import ratelimit
from platewarden.api.ratelimit import Limits, RateLimitedError, SlidingWindow, check
from platewarden.settings import Settings


class Ticks:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_request_over_the_limit_waits_until_the_oldest_leaves_the_window() -> None:
    clock = Ticks()
    window = SlidingWindow(3, 60.0, clock)
    for step in range(3):
        clock.now += step * 10  # at 0, 10 and 30 seconds
        assert window.take("a") == 0.0
    clock.now += 5
    assert window.take("a") == pytest.approx(25.0), "the first leaves the window at 60 s"
    assert window.take("b") == 0.0, "another key counts apart"
    clock.now += 25
    assert window.take("a") == 0.0
    assert window.take("a") == pytest.approx(10.0), "now the second is the oldest"


def test_a_refused_request_is_not_counted() -> None:
    clock = Ticks()
    window = SlidingWindow(1, 60.0, clock)
    assert window.take("a") == 0.0
    for _ in range(5):
        clock.now += 10
        assert window.take("a") > 0
    clock.now += 10
    assert window.take("a") == 0.0, "refusals do not push the window on"


def test_idle_keys_are_dropped_once_many_have_gathered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "PRUNE_AT", 3)
    clock = Ticks()
    window = SlidingWindow(1, 60.0, clock)
    for key in "abc":
        window.take(key)
    clock.now += 61
    assert window.take("d") == 0.0
    assert window.take("a") == 0.0, "a dropped key starts afresh"
    assert set(window._hits) == {"a", "d"}


def test_check_names_the_limit_and_a_whole_retry_after() -> None:
    clock = Ticks()
    limits = Limits.from_settings(
        Settings(data_dir=Path("unused"), database_url="", logon_attempts_per_minute=2), clock
    )
    check(limits.logon_by_name, "ofc.lee", "log-on attempts")
    clock.now += 0.5
    check(limits.logon_by_name, "ofc.lee", "log-on attempts")
    with pytest.raises(RateLimitedError, match="at most 2 a minute") as refused:
        check(limits.logon_by_name, "ofc.lee", "log-on attempts")
    assert refused.value.retry_after_s == 60
    check(limits.logon_by_address, "ofc.lee", "log-on attempts")  # its own count
