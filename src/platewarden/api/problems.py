"""Every error as RFC 9457 problem+json, from one place: the API's `cli_errors`."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from platewarden.services.auth import LogonError, LogonReason
from platewarden.services.errors import (
    AccessDeniedError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
)
from platewarden.services.frames import NotAnImageError, QueueFullError
from platewarden.store.blobs import BlobError

MEDIA_TYPE = "application/problem+json"


def problem(status: int, detail: str, *, kind: str, **extra: Any) -> JSONResponse:
    """Return a problem+json response."""
    body = {
        "type": f"urn:platewarden:problem:{kind}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def install(app: FastAPI) -> None:
    """Map refusals, bad requests and the unforeseen to problem+json answers."""

    @app.exception_handler(LogonError)
    async def logon(_: Request, exc: LogonError) -> JSONResponse:
        status = 403 if exc.reason == LogonReason.PASSWORD_RESET else 401
        return problem(status, str(exc), kind=exc.reason.value)

    @app.exception_handler(AccessDeniedError)
    async def denied(_: Request, exc: AccessDeniedError) -> JSONResponse:
        return problem(403, str(exc), kind="access-denied")

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return problem(404, str(exc), kind="not-found")

    @app.exception_handler(InvalidInputError)
    async def invalid(_: Request, exc: InvalidInputError) -> JSONResponse:
        listed = [{"where": p.where, "message": p.message} for p in exc.problems]
        summary = str(exc).splitlines()[0]
        return problem(422, summary, kind="invalid-input", problems=listed)

    @app.exception_handler(NotAnImageError)
    async def not_an_image(_: Request, exc: NotAnImageError) -> JSONResponse:
        listed = [{"where": p.where, "message": p.message} for p in exc.problems]
        return problem(415, str(exc).splitlines()[0], kind="not-an-image", problems=listed)

    @app.exception_handler(QueueFullError)
    async def busy(_: Request, exc: QueueFullError) -> JSONResponse:
        answer = problem(429, str(exc), kind="queue-full")
        answer.headers["Retry-After"] = str(exc.retry_after_s)
        return answer

    @app.exception_handler(ServiceError)
    async def refused(_: Request, exc: ServiceError) -> JSONResponse:
        return problem(409, str(exc), kind="refused")

    @app.exception_handler(BlobError)
    async def unreadable(_: Request, exc: BlobError) -> JSONResponse:
        return problem(500, str(exc), kind="image-unreadable")

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, exc: RequestValidationError) -> JSONResponse:
        listed = [
            {"where": ".".join(str(p) for p in err["loc"]), "message": err["msg"]}
            for err in exc.errors()
        ]
        return problem(422, "the request is not valid", kind="invalid-request", problems=listed)

    @app.exception_handler(HTTPException)
    async def http(_: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), kind="http")

    @app.exception_handler(Exception)
    async def unforeseen(_: Request, exc: Exception) -> JSONResponse:
        # Never the exception's text: a database error can quote a row's values.
        return problem(500, f"internal error ({type(exc).__name__})", kind="internal")
