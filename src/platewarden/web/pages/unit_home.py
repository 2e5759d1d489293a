"""The car's console at `/`: straight to the alerts; and no password change in the car."""

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from platewarden.web.render import console_router, refusal
from platewarden.web.session import Member

router = console_router()


@router.get("/")
def home(actor: Member) -> Response:
    """Open the alerts: the car's console holds nothing else."""
    return RedirectResponse("/alerts", status_code=303)


@router.api_route("/password", methods=["GET", "POST"], response_class=HTMLResponse)
def password(request: Request) -> HTMLResponse:
    """Say where a password is changed: the station sends the unit its members' passwords."""
    return refusal(
        request,
        409,
        "Not in the car",
        "A password is changed at the station, which sends it to the unit at its next sync "
        "(`platewarden unit sync`); a password changed here would not reach the station.",
    )
