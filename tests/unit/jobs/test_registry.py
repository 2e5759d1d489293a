"""Jobs run when due, as whoever started them: the service account, or a member as themself."""

from datetime import datetime
from pathlib import Path

import pytest
from tests.factories import OFFICER, FixedClock, actor

from platewarden.jobs.registry import JOBS, run_due, service_actor
from platewarden.policy.access import Role
from platewarden.services.errors import AccessDeniedError
from platewarden.services.installation import ServiceKeyError, service_key_file
from platewarden.services.runtime import Runtime
from platewarden.store.audit import audit_entries

SERVICE_ROLES = actor(Role.SYSTEM, name="scheduler")


def test_jobs_run_at_start_then_when_their_interval_has_passed(
    runtime: Runtime, clock: FixedClock, tmp_path: Path
) -> None:
    feed = tmp_path / "state.csv"
    feed.write_text("plate,state,record_type\nABC123,MT,stolen vehicle\n")
    runtime.settings = runtime.settings.__class__(
        **{**runtime.settings.__dict__, "hotlist_sources": (("state", str(feed)),)}
    )
    system = service_actor(runtime)
    last: dict[str, datetime] = {}
    reports: list[tuple[str, str]] = []
    run_due(runtime, system, last, lambda name, line: reports.append((name, line)))
    assert [name for name, _ in reports] == list(JOBS)
    assert reports[0][1] == "state: version 1: 1 entries"
    assert dict(reports)["audit-check"] == "audit trail intact"
    clock.advance(hours=23)
    run_due(runtime, system, last, lambda name, line: reports.append((name, line)))
    assert len(reports) == len(JOBS)
    clock.advance(hours=1)
    run_due(runtime, system, last, lambda name, line: reports.append((name, line)))
    assert [name for name, _ in reports[len(JOBS) :]] == list(JOBS)


def test_the_service_actor_needs_the_installations_service_key(runtime: Runtime) -> None:
    key = service_key_file(runtime.settings)
    assert key.stat().st_mode & 0o077 == 0, "the key is the owner's only"
    key.write_text("a guess\n")
    with pytest.raises(ServiceKeyError, match="is not this installation's service key"):
        service_actor(runtime)
    key.unlink()
    with pytest.raises(ServiceKeyError, match="run only as the installation's service account"):
        service_actor(runtime)


def test_a_member_running_purge_acts_as_themself_with_their_own_permissions(
    runtime: Runtime,
) -> None:
    with pytest.raises(AccessDeniedError, match="purge needs one of the roles"):
        JOBS["purge"].run(runtime, OFFICER)
    with runtime.engine.connect() as conn:
        denied = [e for _, e in audit_entries(conn, action="purge")]
    assert [(e.actor, e.outcome) for e in denied] == [("officer", "denied")]
