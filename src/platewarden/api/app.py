"""The server's application: the API under /api/v1, built from an open runtime."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

from platewarden import __version__
from platewarden.api import docs, problems, ratelimit
from platewarden.api.routes import (
    alerts,
    audit,
    cameras,
    exports,
    frames,
    holds,
    hotlists,
    members,
    policy,
    reads,
    reports,
    search,
    session,
    sharing,
    units,
    upkeep,
)
from platewarden.services.runtime import Runtime
from platewarden.web import console

OPENAPI_PATH = "/api/openapi.json"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # answers hold plates and images: no cache keeps them
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
}


def create_app(rt: Runtime) -> FastAPI:
    """Build the API on a runtime (the caller opens and closes it)."""
    app = FastAPI(
        title="Platewarden",
        version=__version__,
        description="License plate reads under a police department's ALPR policy.",
        openapi_url=OPENAPI_PATH,
        docs_url=None,  # served from our own files, not a CDN: see api/docs.py
        redoc_url=None,
    )
    app.state.runtime = rt
    docs.install(app, openapi_url=OPENAPI_PATH)
    problems.install(app)
    ratelimit.install(app, rt.settings)
    if rt.settings.cors_origins:  # closed unless configured: no CORS header, no browser access
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(rt.settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            expose_headers=["Retry-After", "Content-Disposition"],
        )
    # Any call may be refused for its credentials, a role or course, or a bad field.
    v1 = APIRouter(prefix="/api/v1", responses=problems.responses(401, 403, 422))
    for module in (
        session,
        search,
        frames,
        reads,
        alerts,
        holds,
        exports,
        hotlists,
        cameras,
        members,
        audit,
        upkeep,
        reports,
        sharing,
        policy,
        units,
    ):
        v1.include_router(module.router)
    app.include_router(v1)
    console.install(app)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)  # the docs page sets its own policy
        return response

    return app
