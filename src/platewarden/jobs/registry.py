"""The jobs, their intervals, and a loop that runs each when it is due.

A job acts as whoever starts it: a member at the console with the member's own permissions
(`jobs run`), or the installation itself in the service account's process (`jobs serve`), which
must hold the installation's service key.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from platewarden.domain import Actor
from platewarden.policy.access import Role
from platewarden.services import hotlists, purge
from platewarden.services.audit_review import verify_trail
from platewarden.services.installation import check_service_key
from platewarden.services.runtime import Runtime


@dataclass(frozen=True)
class Job:
    """A named piece of upkeep and how often it runs."""

    name: str
    description: str
    interval: Callable[[Runtime], timedelta]
    run: Callable[[Runtime, Actor], str]  # returns a one-line report


def service_actor(rt: Runtime) -> Actor:
    """Return the installation acting as itself; refuse a process without its service key."""
    check_service_key(rt.engine, rt.settings)
    return Actor("scheduler", frozenset({Role.SYSTEM}))


def _refresh(rt: Runtime, actor: Actor) -> str:
    results = hotlists.refresh(rt, actor)
    return "; ".join(f"{name}: {outcome}" for name, outcome in results) or "no sources configured"


def _purge(rt: Runtime, actor: Actor) -> str:
    run = purge.purge(rt, actor)
    return f"purged {run.reads_purged} reads, {run.reads_kept_by_holds} kept by holds"


def _partitions(rt: Runtime, actor: Actor) -> str:
    made = purge.prepare_days(rt, actor)
    return f"{len(made)} days given partitions" if made else "partitions ready"


def _audit_check(rt: Runtime, actor: Actor) -> str:
    problems = verify_trail(rt, actor)
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
            "partitions",
            "make the coming week's partitions for reads (PostgreSQL)",
            lambda _: timedelta(hours=24),
            _partitions,
        ),
        Job(
            "audit-check",
            "verify the audit trail's hash chain",
            lambda _: timedelta(hours=24),
            _audit_check,
        ),
    )
}


def run_due(
    rt: Runtime,
    actor: Actor,
    last_run: dict[str, datetime],
    report: Callable[[str, str], None],
) -> None:
    """Run every job whose interval has passed since its last run, and note when it ran."""
    now = rt.clock.now()
    for job in JOBS.values():
        previous = last_run.get(job.name)
        if previous is None or now - previous >= job.interval(rt):
            last_run[job.name] = now
            report(job.name, job.run(rt, actor))


def serve(
    rt: Runtime,
    report: Callable[[str, str], None],
    *,
    tick_s: float = 60.0,
    stop: threading.Event | None = None,
) -> None:
    """Run the jobs on their schedule as the installation, until interrupted or stopped.

    Each tick takes up a policy version applied meanwhile, so a change is in force here too.
    """
    actor = service_actor(rt)
    last_run: dict[str, datetime] = {}
    stop = stop or threading.Event()
    while not stop.is_set():
        if rt.reload_policy():
            report("policy", f"version {rt.policy_version} in force")
        run_due(rt, actor, last_run, report)
        stop.wait(tick_s)
