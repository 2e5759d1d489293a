"""The jobs, their intervals, and a loop that runs each when it is due."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from platewarden.domain import Actor
from platewarden.policy.access import Role
from platewarden.services import hotlists, purge
from platewarden.services.audit_review import verify_audit_chain
from platewarden.services.runtime import Runtime

SCHEDULER = Actor("scheduler", frozenset({Role.SYSTEM}))


@dataclass(frozen=True)
class Job:
    """A named piece of upkeep and how often it runs."""

    name: str
    description: str
    interval: Callable[[Runtime], timedelta]
    run: Callable[[Runtime], str]  # returns a one-line report


def _refresh(rt: Runtime) -> str:
    results = hotlists.refresh(rt, SCHEDULER)
    return "; ".join(f"{name}: {outcome}" for name, outcome in results) or "no sources configured"


def _purge(rt: Runtime) -> str:
    run = purge.purge(rt, SCHEDULER)
    return f"purged {run.reads_purged} reads, {run.reads_kept_by_holds} kept by holds"


def _audit_check(rt: Runtime) -> str:
    problems = verify_audit_chain(rt, SCHEDULER)
    return "audit trail intact" if not problems else "AUDIT TRAIL BROKEN: " + "; ".join(problems)


JOBS = {
    job.name: job
    for job in (
        Job(
            "hotlist-refresh",
            "fetch the configured hot-list feeds (policy: hotlists.refresh_hours)",
            lambda rt: timedelta(hours=rt.policy.hotlists.refresh_hours),
            _refresh,
        ),
        Job(
            "purge",
            "delete reads past retention unless held",
            lambda _: timedelta(hours=24),
            _purge,
        ),
        Job(
            "audit-check",
            "verify the audit trail's hash chain",
            lambda _: timedelta(hours=24),
            _audit_check,
        ),
    )
}


def run_due(rt: Runtime, last_run: dict[str, datetime], report: Callable[[str, str], None]) -> None:
    """Run every job whose interval has passed since its last run, and note when it ran."""
    now = rt.clock.now()
    for job in JOBS.values():
        previous = last_run.get(job.name)
        if previous is None or now - previous >= job.interval(rt):
            last_run[job.name] = now
            report(job.name, job.run(rt))


def serve(rt: Runtime, report: Callable[[str, str], None], *, tick_s: float = 60.0) -> None:
    """Run the jobs on their schedule until interrupted."""
    last_run: dict[str, datetime] = {}
    while True:
        run_due(rt, last_run, report)
        time.sleep(tick_s)
