"""The patrol-car unit's fixtures: a unit synced with its station, and its console served."""

from tests.functional.unit.factories import car  # noqa: F401  (fixture)
