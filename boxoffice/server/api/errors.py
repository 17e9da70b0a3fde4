"""Every error leaves as JSON `{"message", "errorCode", "field"?, "details"?}`; one table sets
status.

`errorCode` is the name Tickethead's own SDK reads the stable code from (`bam-ticketing-sdk`
`common/index.ts`: `errorCode`, else `error`); it is camelCase on a snake_case wire because the
vendor's client reads the raw body there, not its camelised copy.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from boxoffice.server.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RuleViolation,
    TooManyAttempts,
)
from boxoffice.server.services.ledger import SeqTaken

logger = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    NotAuthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    RuleViolation: 400,
    Conflict: 409,
    InvalidInput: 422,
    TooManyAttempts: 429,
}
_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def error_body(
    message: str, code: str, field: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "errorCode": code}
    if field:
        body["field"] = field
    if details:
        body["details"] = details
    return body


# The database was too busy to answer in time: a lock waited for longer than `lock_timeout`,
# a statement ran longer than `statement_timeout`, a deadlock or serialisation failure was
# broken, no pool connection came free (`db/engine.py`). Nothing was changed; `503
# database_busy` with `Retry-After` says to try again. SQLSTATEs: PostgreSQL's
# lock_not_available, query_canceled, deadlock_detected, serialization_failure.
BUSY_SQLSTATES = frozenset({"55P03", "57014", "40P01", "40001"})
BUSY_RETRY_AFTER_SECONDS = 1


def database_busy(exc: BaseException) -> bool:
    """Whether `exc` means the database was busy (try again), not that something is wrong."""
    if isinstance(exc, sa_exc.TimeoutError | SeqTaken):
        return True
    if isinstance(exc, sa_exc.OperationalError):
        if getattr(exc.orig, "sqlstate", None) in BUSY_SQLSTATES:
            return True
        return "database is locked" in str(exc.orig)  # SQLite's busy timeout ran out
    return False


def busy_response() -> JSONResponse:
    return error_response(
        503,
        "The database is busy; nothing was changed. Try again in a moment.",
        "database_busy",
        headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
    )


def unexpected_error_body() -> dict[str, Any]:
    """The one body of every `500`: whatever failed, the transaction was rolled back."""
    return error_body("The server hit an unexpected error; nothing was changed.", "internal_error")


def error_response(
    status: int,
    message: str,
    code: str,
    field: str | None = None,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(message, code, field, details), status_code=status, headers=headers
    )


def status_for(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def field_path(loc: tuple[int | str, ...]) -> str:
    """`("body", "orderItem", 0, "quantity")` → `order_item[0].quantity`."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = _CAMEL.sub("_", str(part)).lower()
            out += f".{name}" if out else name
    return out


def _validation_message(exc: RequestValidationError) -> tuple[str, str, str | None]:
    error = exc.errors()[0]
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        return "The request body is not valid JSON.", "invalid_json", None
    field = field_path(loc) or None
    if error.get("type") == "missing" and field is None:
        return "A JSON request body is required.", "body_required", None
    if error.get("type") == "model_attributes_type" or (
        field is None and error.get("type", "").endswith("_type")
    ):
        return "The request body must be a JSON object.", "invalid_body", None
    if error.get("type") == "extra_forbidden":
        return f"{field}: this field is not known here.", "unknown_field", field
    message = error.get("msg", "Invalid value")
    return (f"{field}: {message}" if field else message), "validation_error", field


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the JSON error body."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = None if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
        return error_response(
            status_for(exc), exc.message, exc.code, exc.field, exc.details, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, code, field = _validation_message(exc)
        status = 400 if code in ("invalid_json", "body_required", "invalid_body") else 422
        return error_response(status, message, code, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "There is no such endpoint."
        return error_response(
            exc.status_code,
            message,
            _HTTP_CODES.get(exc.status_code, "http_error"),
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(sa_exc.OperationalError)
    @app.exception_handler(sa_exc.TimeoutError)
    @app.exception_handler(SeqTaken)
    async def _busy(_: Request, exc: Exception) -> JSONResponse:
        if not database_busy(exc):
            logger.exception("unhandled error", exc_info=exc)
            return JSONResponse(unexpected_error_body(), status_code=500)
        logger.warning("database busy, answered 503: %s", exc)
        return busy_response()

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return JSONResponse(unexpected_error_body(), status_code=500)
