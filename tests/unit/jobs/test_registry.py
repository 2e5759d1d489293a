"""Jobs run when due: hot lists every refresh_hours, purge and the audit check daily."""

from datetime import datetime
from pathlib import Path

from tests.factories import FixedClock

from platewarden.jobs.registry import JOBS, run_due
from platewarden.services.runtime import Runtime


def test_jobs_run_at_start_then_when_their_interval_has_passed(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    feed = tmp_path / "state.csv"
    feed.write_text("plate,state,record_type\nABC123,MT,stolen vehicle\n")
    runtime.settings = runtime.settings.__class__(
        **{**runtime.settings.__dict__, "hotlist_sources": (("state", str(feed)),)}
    )
    last: dict[str, datetime] = {}
    reports: list[tuple[str, str]] = []
    run_due(runtime, last, lambda name, line: reports.append((name, line)))
    assert [name for name, _ in reports] == list(JOBS)
    assert reports[0][1] == "state: version 1: 1 entries"
    assert reports[2][1] == "audit trail intact"
    clock.advance(hours=23)
    run_due(runtime, last, lambda name, line: reports.append((name, line)))
    assert len(reports) == 3
    clock.advance(hours=1)
    run_due(runtime, last, lambda name, line: reports.append((name, line)))
    assert [name for name, _ in reports[3:]] == list(JOBS)
