"""Pages from templates, and refusals as pages: the console's answer to every outcome."""

from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from datetime import datetime, tzinfo
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from platewarden.domain import Actor
from platewarden.local_time import show_time
from platewarden.policy.access import PERMISSIONS, Action, Role
from platewarden.services.auth import LogonError, LogonReason
from platewarden.services.errors import (
    AccessDeniedError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
)
from platewarden.web.session import CsrfError, check_csrf, csrf_token, keep_csrf_cookie

TEMPLATES = Jinja2Templates(directory=str(files("platewarden.web") / "templates"))
# Pages load scripts and styles from the package only; images may be inline (a QR code, a crop).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The department's time zone while a console request is answered (None: this computer's).
DEPARTMENT_ZONE: ContextVar[tzinfo | None] = ContextVar("department_zone", default=None)

# The console's sections, in the order the menu shows them, each with what opens it.
SECTIONS: tuple[tuple[str, str, Action], ...] = (
    ("Alerts", "/alerts", Action.VIEW_ALERTS),
    ("Search", "/search", Action.QUERY_PLATE),
    ("Holds", "/holds", Action.VIEW_HOLDS),
    ("Exports", "/exports", Action.EXPORT_EVIDENCE),
    ("Purge runs", "/purge-runs", Action.VIEW_PURGE_RUNS),
    ("Hot lists", "/hotlists", Action.VIEW_HOTLISTS),
    ("Cameras", "/cameras", Action.MAINTAIN_CAMERAS),
    ("Members", "/members", Action.MANAGE_MEMBERS),
    ("Sharing", "/sharing", Action.APPROVE_SHARING),
    ("Audit", "/audit", Action.VIEW_AUDIT),
    ("Report", "/report", Action.VIEW_REPORTS),
    ("Policy", "/policy", Action.VIEW_POLICY),
)


def may(actor: Actor | None, action: Action) -> bool:
    """True when one of the actor's roles in force allows the action (menus, buttons)."""
    return actor is not None and any(action in PERMISSIONS[role] for role in actor.roles)


def is_htmx(request: Request) -> bool:
    """True for a partial request made by HTMX (answered with a fragment)."""
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    *,
    actor: Actor | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page or fragment with what every template may use.

    An application may narrow the menu (`app.state.sections`) and give every page a header
    (`app.state.header`, shown by base.html): the patrol car's console does both.
    """
    offered = getattr(request.app.state, "sections", SECTIONS)
    sections = [(title, href) for title, href, action in offered if may(actor, action)]
    idle_minutes = request.app.state.runtime.policy.access.session_idle_minutes
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "member": actor,
            "roles": sorted(r.value for r in actor.roles) if actor else [],
            "sections": sections,
            "csrf": csrf_token(request),
            "may": lambda action: may(actor, Action(action)),
            "Role": Role,
            "idle_seconds": idle_minutes * 60,
            "header": getattr(request.app.state, "header", None),
            **context,
        },
        status_code=status,
    )
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    keep_csrf_cookie(request, response)
    return response


def local_time(value: datetime | None) -> str:
    """Show a time in the department's zone (the `timezone` setting), with the zone named."""
    if value is None:
        return ""
    return show_time(value, DEPARTMENT_ZONE.get(), seconds=True)


TEMPLATES.env.filters["local_time"] = local_time


def refusal(
    request: Request, status: int, title: str, detail: str, items: tuple[str, ...] = ()
) -> HTMLResponse:
    """Answer a refused request: a message in place for HTMX, a page otherwise."""
    template = "problem_fragment.html" if is_htmx(request) else "problem.html"
    return render(request, template, status=status, title=title, detail=detail, items=items)


def logon_needed(request: Request, exc: LogonError) -> Response:
    """Send a browser without a session to the log-on page; an HTMX call opens the lock."""
    if exc.reason == LogonReason.PASSWORD_RESET:
        return _redirect(request, "/password")
    if is_htmx(request):
        response = Response(status_code=401)
        response.headers["HX-Trigger"] = "platewarden-locked"
        return response
    return _redirect(request, "/login")


def _redirect(request: Request, to: str) -> Response:
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": to})
    return RedirectResponse(to, status_code=303)


class ConsoleRoute(APIRoute):
    """A console route: a refusal from the services becomes a page, never a JSON body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler so service errors and log-on needs are answered in HTML."""
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            DEPARTMENT_ZONE.set(request.app.state.runtime.settings.zone)
            try:
                return await handler(request)
            except LogonError as exc:
                return logon_needed(request, exc)
            except CsrfError as exc:
                return refusal(request, 403, "Refused", str(exc))
            except AccessDeniedError as exc:
                return refusal(request, 403, "Not allowed", str(exc))
            except NotFoundError as exc:
                return refusal(request, 404, "Not found", str(exc))
            except InvalidInputError as exc:
                listed = tuple(str(p) for p in exc.problems)
                return refusal(request, 422, "Not done", str(exc).splitlines()[0], listed)
            except ServiceError as exc:
                return refusal(request, 409, "Not done", str(exc))
            except RequestValidationError as exc:
                fields = tuple(f"{err['loc'][-1]}: {err['msg']}" for err in exc.errors())
                return refusal(request, 422, "Not done", "the form is not complete", fields)

        return answer


def console_router() -> APIRouter:
    """A router of console pages: HTML refusals, and every change checked for its CSRF token."""
    return APIRouter(
        route_class=ConsoleRoute, include_in_schema=False, dependencies=[Depends(check_csrf)]
    )
