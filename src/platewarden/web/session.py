"""The console's member: the session behind the cookie, and the CSRF check of every change.

The cookie holds the same opaque, server-side session token the API's bearer sessions use, so
the lockout, the idle lock and the audit trail are the services', not the console's. Every
form and every HTMX request carries a CSRF token equal to a second, random cookie (both are
HttpOnly and SameSite=Strict; the page holds the token in its forms and `hx-headers`).
"""

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request, Response

from platewarden.api.deps import RuntimeDep, client_address
from platewarden.domain import Actor
from platewarden.services.auth import LogonError, LogonReason, resume

SESSION_COOKIE = "pw_session"
CSRF_COOKIE = "pw_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(Exception):
    """A change arrived without the page's CSRF token: refused before anything is done."""


def csrf_token(request: Request) -> str:
    """Return the CSRF token of this browser (a new one when it has none yet)."""
    known = request.cookies.get(CSRF_COOKIE, "")
    if len(known) >= 32:
        return known
    token: str | None = getattr(request.state, "new_csrf", None)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def keep_csrf_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie when this request made a new token."""
    token = getattr(request.state, "new_csrf", None)
    if token is not None:
        _set_cookie(request, response, CSRF_COOKIE, token)


async def check_csrf(request: Request) -> None:
    """Refuse a change whose CSRF token (header or form field) differs from the cookie's."""
    if request.method in SAFE_METHODS:
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        sent = str((await request.form()).get(CSRF_FIELD, ""))
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfError("the form is out of date or came from another site: reload the page")


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def current_member(request: Request, rt: RuntimeDep) -> Actor:
    """Return the member whose session the cookie carries (its idle clock restarts)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LogonError("not logged on", LogonReason.NOT_LOGGED_ON)
    return resume(rt, token, client_address=client_address(request))


Member = Annotated[Actor, Depends(current_member)]


def start_session(request: Request, response: Response, token: str) -> None:
    """Give the browser a new session's cookie."""
    _set_cookie(request, response, SESSION_COOKIE, token)


def end_session(response: Response) -> None:
    """Take the session's cookie away."""
    response.delete_cookie(SESSION_COOKIE, path="/")


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=secure, path="/", max_age=None
    )
