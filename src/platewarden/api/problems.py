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
SCHEMA = {
    "title": "Problem",
    "description": "An error as RFC 9457 problem details; `problems` names each bad field.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "urn:platewarden:problem:KIND"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["where", "message"],
                "properties": {"where": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
WHY = {
    401: "Not logged on, or the session or device token is no longer valid.",
    403: "Refused: the role or training course missing is named.",
    404: "No such record.",
    409: "Refused by the policy or by the record's state.",
    413: "The body is over its limit.",
    415: "The body is not of a type this call takes.",
    422: "A field is missing or wrong: `problems` names each.",
    429: "Too many requests: try again after Retry-After seconds.",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return the OpenAPI description of these error answers, for a route's `responses=`."""
    described: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        answer: dict[str, Any] = {
            "description": WHY[status],
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if status == 429:
            answer["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        described[status] = answer
    return described


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
    """Map refusals, bad requests and the unforeseen to problem+json answers, and describe
    those answers' schema in the app's OpenAPI document."""
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        document = build_openapi()  # built once, then kept as app.openapi_schema
        document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = SCHEMA
        return document

    app.openapi = openapi  # type: ignore[method-assign]

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
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # FastAPI's answer to a JSON body that is not even text: a malformed body like
            # any other, whose JSON errors FastAPI itself reports as a 422.
            listed = [{"where": "body", "message": "the body is not UTF-8 JSON text"}]
            return problem(422, "the request is not valid", kind="invalid-request", problems=listed)
        return problem(exc.status_code, str(exc.detail), kind="http")

    @app.exception_handler(Exception)
    async def unforeseen(_: Request, exc: Exception) -> JSONResponse:
        # Never the exception's text: a database error can quote a row's values.
        return problem(500, f"internal error ({type(exc).__name__})", kind="internal")
