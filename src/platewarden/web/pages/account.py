"""Log on (password and second factor), log off, change a password, unlock an idle page."""

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from platewarden.api.deps import RuntimeDep, client_address
from platewarden.services import auth
from platewarden.services.auth import LogonError
from platewarden.services.errors import InvalidInputError
from platewarden.services.runtime import Runtime
from platewarden.web.render import console_router, render
from platewarden.web.session import SESSION_COOKIE, end_session, start_session

router = console_router()

Username = Annotated[str, Form(min_length=1, max_length=64)]
Password = Annotated[str, Form(min_length=1, max_length=1024)]
Code = Annotated[str, Form(max_length=16)]


@router.get("/login", response_class=HTMLResponse)
def log_on_page(request: Request, changed: bool = False) -> HTMLResponse:
    """The log-on form."""
    note = "Your password is changed: log on with the new one." if changed else None
    return render(request, "login.html", note=note)


@router.post("/login")
def log_on(
    request: Request,
    rt: RuntimeDep,
    username: Username,
    password: Password,
    code: Code = "",
) -> Response:
    """Check the password and second factor; open a session, or ask for a new password first."""
    try:
        session = _log_on(request, rt, username, password, code)
    except LogonError as exc:
        return render(request, "login.html", status=401, error=str(exc), username=username)
    if session.must_change_password:
        auth.log_off(rt, session.token)
        return render(request, "password.html", username=username, reset=True)
    response = RedirectResponse("/", status_code=303)
    start_session(request, response, session.token)
    return response


@router.post("/logout")
def log_off(request: Request, rt: RuntimeDep) -> Response:
    """End the session and go back to the log-on form."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.log_off(rt, token)
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request) -> HTMLResponse:
    """The form to set one's own password (a reset password must be replaced first)."""
    return render(request, "password.html", reset=True)


@router.post("/password")
def change_password(
    request: Request,
    rt: RuntimeDep,
    username: Username,
    old_password: Password,
    new_password: Password,
    repeated: Password,
) -> Response:
    """Replace the member's password, then log on again with it."""
    if new_password != repeated:
        return render(
            request,
            "password.html",
            status=422,
            error="the new password and its repetition differ",
            username=username,
        )
    try:
        auth.change_password(
            rt, username=username, old_password=old_password, new_password=new_password
        )
    except (LogonError, InvalidInputError) as exc:
        return render(request, "password.html", status=422, error=str(exc), username=username)
    return RedirectResponse("/login?changed=true", status_code=303)


@router.post("/unlock")
def unlock(
    request: Request,
    rt: RuntimeDep,
    username: Username,
    password: Password,
    code: Code = "",
) -> Response:
    """Log on again from a page locked for idleness, keeping the page as it is."""
    try:
        session = _log_on(request, rt, username, password, code)
    except LogonError as exc:
        return Response(str(exc), status_code=401, media_type="text/plain")
    if session.must_change_password:
        auth.log_off(rt, session.token)
        return Response(status_code=204, headers={"HX-Redirect": "/password"})
    response = Response(status_code=204)
    start_session(request, response, session.token)
    return response


def _log_on(request: Request, rt: Runtime, username: str, password: str, code: str) -> auth.Session:
    return auth.log_on(
        rt,
        username=username,
        password=password,
        totp_code=code.strip() or None,
        client_address=client_address(request),
    )
