"""The patrol car's console: the station's alert pages, served on the laptop alone (127.0.0.1).

The officer logs on with the services' log-on against the unit's own database (the members the
station sent with the hot lists) and handles the alerts raised in the car on the station's
pages: the live feed, the crop and frame beside the entry, STALE, and only the steps the alert
allows next. Every page says how old the hot-list copy is. Nothing else of the station's
console is here: the car holds no other data, and a password is changed at the station.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.resources import files

import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from platewarden.api.app import SECURITY_HEADERS
from platewarden.domain import Actor
from platewarden.local_time import show_span
from platewarden.logs import log_config
from platewarden.policy.access import Action
from platewarden.services.runtime import Runtime
from platewarden.services.unit_status import status_for_member
from platewarden.unit.config import UnitConfig
from platewarden.web.pages import account, alerts, unit_home
from platewarden.web.render import ConsoleRoute, may

HOST = "127.0.0.1"  # the car's laptop only: never an address another machine reaches
DEFAULT_PORT = 8470
SECTIONS = (("Alerts", "/alerts", Action.VIEW_ALERTS),)
# A page of another site that points its name at 127.0.0.1 is refused for its Host.
ALLOWED_HOSTS = (HOST, "localhost")


@dataclass(frozen=True)
class UnitLine:
    """The line above every page: the unit, its camera and its hot-list copy."""

    unit: str
    camera: str
    copy: str
    stale: bool


@dataclass(frozen=True)
class UnitHeader:
    """Says for the member logged on how old the unit's hot-list copy is (base.html)."""

    rt: Runtime
    config: UnitConfig

    def line(self, member: Actor) -> UnitLine | None:
        """Return the line for a member who sees the car's alerts (None for anyone else)."""
        if not may(member, Action.VIEW_ALERTS):
            return None
        held = status_for_member(self.rt, member)
        now = self.rt.clock.now()
        age = held.hotlist_age(now)
        copy = (
            "none yet: sync the unit while in reach of the station"
            if age is None
            else f"{show_span(age)} old, {held.hotlist_entries} entries"
        )
        return UnitLine(self.config.name, self.config.camera, copy, held.stale(now))


def create_unit_console(rt: Runtime, config: UnitConfig) -> FastAPI:
    """Build the car's console on the unit's runtime (the caller opens and closes it)."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = rt
    app.state.sections = SECTIONS
    app.state.header = UnitHeader(rt, config)
    static = StaticFiles(directory=str(files("platewarden.web") / "static"))
    app.mount("/static", static, name="static")
    pages = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
    # The unit's own pages first: its /password answers before the station's form would.
    for module in (unit_home, account, alerts):
        pages.include_router(module.router)
    app.include_router(pages)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(ALLOWED_HOSTS))

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def make_unit_server(rt: Runtime, config: UnitConfig, *, port: int) -> uvicorn.Server:
    """Return the uvicorn server of the car's console on 127.0.0.1 (port 0: any free one)."""
    return uvicorn.Server(
        uvicorn.Config(
            create_unit_console(rt, config),
            host=HOST,
            port=port,
            server_header=False,
            lifespan="off",
            log_level="info",
            log_config=log_config(),
        )
    )
