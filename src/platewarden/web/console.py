"""Serve the console at `/`: its pages, its static files and its content security policy."""

from importlib.resources import files

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from platewarden.web.pages import (
    account,
    alerts,
    audit,
    cameras,
    exports,
    holds,
    home,
    hotlists,
    members,
    policy,
    purge_runs,
    reads,
    report,
    search,
    sharing,
)
from platewarden.web.render import ConsoleRoute

PAGES = (
    account,
    home,
    alerts,
    audit,
    report,
    members,
    cameras,
    hotlists,
    sharing,
    policy,
    search,
    reads,
    holds,
    exports,
    purge_runs,
)


def install(app: FastAPI) -> None:
    """Add the console's pages and static files to the server's application."""
    static = StaticFiles(directory=str(files("platewarden.web") / "static"))
    app.mount("/static", static, name="static")
    pages = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
    for module in PAGES:
        pages.include_router(module.router)
    app.include_router(pages)
