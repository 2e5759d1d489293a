"""The policy in force, read-only: its version, hash and text, and every version before it."""

from fastapi import Request
from fastapi.responses import HTMLResponse

from platewarden.api.deps import RuntimeDep
from platewarden.services import policies
from platewarden.web.render import console_router, render
from platewarden.web.session import Member

router = console_router()


@router.get("/policy", response_class=HTMLResponse)
def page(request: Request, rt: RuntimeDep, actor: Member) -> HTMLResponse:
    """The policy in force and its history (applied with `platewarden policy apply`)."""
    return render(
        request,
        "policy/page.html",
        actor=actor,
        current=policies.current_policy(rt, actor),
        history=policies.policy_history(rt, actor),
    )
