"""The department's time zone: one setting, refused when unknown, used to show and read times."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from platewarden.local_time import read_time, show_date, show_span, show_time
from platewarden.settings import SettingsError, get_settings

DENVER = ZoneInfo("America/Denver")


def test_the_timezone_setting_names_a_zone_from_the_environment_or_the_file(
    tmp_path: Path,
) -> None:
    assert get_settings(environ={"PLATEWARDEN_TIMEZONE": "America/Denver"}).zone == DENVER
    config = tmp_path / "settings.toml"
    config.write_text('timezone = "Europe/Lisbon"\n')
    assert get_settings(config, environ={}).zone == ZoneInfo("Europe/Lisbon")
    assert get_settings(environ={}).zone is None  # this computer's zone


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "America", "../etc/passwd", "x" * 300])
def test_an_unknown_timezone_is_a_settings_error_naming_the_setting(name: str) -> None:
    with pytest.raises(SettingsError, match=r"timezone .* is not a known IANA time zone"):
        get_settings(environ={"PLATEWARDEN_TIMEZONE": name})


def test_times_are_shown_in_the_zone_with_its_name_across_daylight_saving() -> None:
    winter = datetime(2026, 1, 15, 19, 30, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 19, 30, 5, tzinfo=UTC)
    assert show_time(winter, DENVER) == "2026-01-15 12:30 MST"
    assert show_time(summer, DENVER, seconds=True) == "2026-07-15 13:30:05 MDT"
    assert show_date(datetime(2026, 1, 16, 3, 0, tzinfo=UTC), DENVER) == "2026-01-15"
    assert show_time(winter.replace(tzinfo=None), DENVER) == "2026-01-15 12:30 MST"  # stored UTC


def test_a_plain_date_is_the_start_of_that_day_in_the_departments_zone() -> None:
    start = read_time("2026-11-01", DENVER)
    assert start == datetime(2026, 11, 1, tzinfo=DENVER)
    assert start.astimezone(UTC) == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # MDT that night
    assert read_time("2026-11-01T14:30", DENVER).utcoffset() == timedelta(hours=-7)
    assert read_time("2026-11-01T14:30Z", DENVER).tzinfo == UTC  # a zone typed is kept
    with pytest.raises(ValueError):
        read_time("yesterday", DENVER)


def test_a_span_is_shown_in_minutes_and_past_an_hour_in_hours_and_minutes() -> None:
    shown = [show_span(timedelta(seconds=s)) for s in (59, 42 * 60 + 59, 3600, 3 * 3600 + 5 * 60)]
    assert shown == ["0 min", "42 min", "1 h 0 min", "3 h 5 min"]
