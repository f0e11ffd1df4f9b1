"""One JSON error shape for every refusal: {"error": {"code", "message", "field"?, "row"?, "column"?}}.

The domain exceptions keep their meaning over HTTP: ValidationFailed and InvalidInput 422 (a bulk
post's first bad row and column in `row`/`column`, every problem in `issues`), PermissionDenied 403,
NotFound 404, Conflict 409 (someone else's edit landed first: reload and try again). A router
raises the domain exception; it never builds an error response itself. Unauthenticated is 401;
`TooManyAttempts` (429, with Retry-After) is the API's own.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from genxsop_core.admin import logs
from genxsop_core.domain.exceptions import (
    ConfigurationError,
    Conflict,
    GenXSOPError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)

_log = logging.getLogger("genxsop.api")

# domain exception -> (HTTP status, error code); the first match in this order wins (subclasses first)
STATUS: tuple[tuple[type[GenXSOPError], int, str], ...] = (
    (ValidationFailed, 422, "validation_failed"),
    (InvalidInput, 422, "invalid_input"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (ConfigurationError, 503, "configuration"),
)


class TooManyAttempts(GenXSOPError):
    """Too many wrong passwords or keys in a row: refused for a while (429), like the login form."""

    def __init__(self, message: str, retry_after_seconds: int):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


def error_body(code: str, message: str, **located: Any) -> dict[str, Any]:
    """The one shape; `located` adds field/row/column/issues when known (None values are left out)."""
    return {"error": {"code": code, "message": message, **{k: v for k, v in located.items() if v is not None}}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                   **located: Any) -> JSONResponse:
    return JSONResponse(error_body(code, message, **located), status_code=status, headers=headers)


def _validation_failed(error: ValidationFailed) -> JSONResponse:
    first = error.issues[0] if error.issues else None
    issues = [{"row": i.row, "column": i.column, "message": i.message} for i in error.issues]
    return error_response(422, "validation_failed", str(error), field=first.column if first else None,
                          row=first.row if first else None, column=first.column if first else None,
                          issues=issues)


def domain_error(_request: Request, error: Exception) -> JSONResponse:
    if isinstance(error, ValidationFailed):
        return _validation_failed(error)
    if isinstance(error, Unauthenticated):
        return error_response(401, "unauthenticated", str(error), headers={"WWW-Authenticate": "Bearer"})
    if isinstance(error, TooManyAttempts):
        return error_response(429, "too_many_attempts", str(error),
                              headers={"Retry-After": str(error.retry_after_seconds)})
    for kind, status, code in STATUS:
        if isinstance(error, kind):
            return error_response(status, code, str(error))
    return error_response(400, "refused", str(error))


def _field(location: Sequence[Any]) -> str:
    """pydantic's location without where it came from: ("body", "rows", 3, "sku") -> "rows.3.sku"."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


def request_invalid(_request: Request, error: Exception) -> JSONResponse:
    problems = error.errors() if isinstance(error, RequestValidationError) else []
    first = problems[0] if problems else {"loc": (), "msg": str(error)}
    field = _field(first.get("loc", ()))
    message = f"{field}: {first.get('msg')}" if field else str(first.get("msg"))
    issues = [{"field": _field(p.get("loc", ())), "message": p.get("msg")} for p in problems]
    return error_response(422, "invalid_request", message, field=field or None, issues=issues)


def http_error(_request: Request, error: Exception) -> JSONResponse:
    status = error.status_code if isinstance(error, StarletteHTTPException) else 500
    detail = error.detail if isinstance(error, StarletteHTTPException) else str(error)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated", 403: "forbidden"}
    headers = getattr(error, "headers", None)
    return error_response(status, codes.get(status, f"http_{status}"), str(detail), headers=headers)


def unexpected(request: Request, error: Exception) -> JSONResponse:
    """A bug, not a refusal: logged with its traceback; the caller gets the request id to quote."""
    request_id = getattr(request.state, "request_id", None)
    with logs.context(request_id=request_id):
        _log.error("unexpected error answering a request", exc_info=error)
    return error_response(500, "internal", "the server failed to answer; quote the request id to the "
                          "administrator", request_id=request_id)


def install(app: FastAPI) -> None:
    """Answer every refusal of `app` in the one shape."""
    app.add_exception_handler(GenXSOPError, domain_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
