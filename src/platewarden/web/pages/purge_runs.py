"""Purge runs: what each run deleted, kept for holds and shredded (no plate data)."""

from fastapi import Request
from fastapi.responses import HTMLResponse

from platewarden.api.deps import RuntimeDep
from platewarden.services import purge
from platewarden.web.render import console_router, render
from platewarden.web.session import Member

router = console_router()


@router.get("/purge-runs", response_class=HTMLResponse)
def list_runs(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """The latest purge runs, newest first."""
    runs = purge.list_runs(rt, actor, limit=100)
    retention = rt.policy.retention.days
    return render(request, "purge_runs/list.html", actor=actor, runs=runs, retention=retention)
