"""The integration API as an ASGI application: `create_app()` for uvicorn (`python -m genxsop_core serve-api`)
and for tests (`TestClient(create_app(settings))`).

Everything is under /api/v1 (routers.ROUTERS), the docs at /api/docs, the schema at
/api/openapi.json. Each request gets an id (the caller's X-Request-ID or a new one, echoed in the
answer) that tags every log line written while answering it, with the user or the key's name
(deps.current_caller binds them), and one access line when it ends. A body larger than
GENXSOP_API_MAX_BODY_MB is refused (413): before it is read when its length is declared, at the limit
when it is sent in chunks. A new area adds its router to routers/__init__.py (see there).
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import replace
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from genxsop_core.admin import logs
from genxsop_core.api import errors
from genxsop_core.api.auth import signing_secret
from genxsop_core.api.errors import error_body
from genxsop_core.api.routers import ROUTERS
from genxsop_core.api.throttle import FailedAttempts
from genxsop_core.config import Settings, load_settings
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.unit_of_work import UnitOfWork

PREFIX = "/api/v1"
_log = logging.getLogger("genxsop.api")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")  # a caller's id is echoed and logged: keep it tame


class RequestContext:
    """Pure ASGI middleware (so the log ids reach the endpoint): request id, body size limit, access log."""

    def __init__(self, app: ASGIApp, max_body_bytes: int):
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        started, status = time.perf_counter(), {"code": 500, "too_large": False}

        async def send_with_id(message: Message) -> None:
            if status["too_large"]:
                return  # the 413 has been answered; whatever the application says after it is dropped
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        received = 0

        async def receive_limited() -> Message:
            """The body as it comes, until it passes the limit: then answer 413 and tell the application the
            client has gone, so it stops reading (an exception here would be taken for a malformed body)."""
            nonlocal received
            if status["too_large"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    await self._too_large(send_with_id)
                    status.update(code=413, too_large=True)
                    return {"type": "http.disconnect"}
            return message

        with logs.context(request_id=request_id, user=None):  # not serve-api's operator: the caller, once known
            try:
                declared = headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_body_bytes:
                    await self._too_large(send_with_id)  # refused before a byte of it is read
                    status["code"] = 413
                else:
                    await self.app(scope, receive_limited, send_with_id)
            finally:
                caller = scope["state"].get("caller")
                who = {"api_key": caller.name} if caller and caller.kind == "key" else {
                    "user": caller.name} if caller else {}
                _log.info("%s %s %s", scope["method"], scope["path"], status["code"],
                          extra={"status": status["code"], "millis": round((time.perf_counter() - started) * 1000, 1),
                                 **who})

    async def _too_large(self, send: Send) -> None:
        megabytes = self.max_body_bytes // (1024 * 1024)
        body = errors.error_response(413, "payload_too_large", f"the request body is larger than {megabytes} MB "
                                     "(GENXSOP_API_MAX_BODY_MB): send the rows in smaller batches").body
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over the database of `settings` (default: the environment, as the app reads it).

    Raises ConfigurationError without GENXSOP_API_SECRET outside demo mode (auth.signing_secret)."""
    settings = settings or load_settings()
    secret, ephemeral = signing_secret(settings)
    app = FastAPI(title="GenXSOP integration API", version="1", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="The S&OP workbench's data and plans for ERPs, BI tools and scripts. Send an API key "
                              "in `X-API-Key` or a bearer token from `POST /api/v1/auth/token`. Errors answer "
                              f"`{error_body('code', 'message')}`, with field, row and column when known.")
    app.state.settings = settings
    app.state.secret = secret
    app.state.secret_is_ephemeral = ephemeral
    app.state.failed_attempts = FailedAttempts()
    session_factory = get_session_factory(settings.database_url)
    app.state.uow_factory = lambda: UnitOfWork(session_factory)
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX)
    app.add_middleware(RequestContext, max_body_bytes=settings.api_max_body_mb * 1024 * 1024)
    if ephemeral:
        _log.warning("GENXSOP_API_SECRET is not set: demo mode signs tokens with a random secret of this process "
                     "(tokens end when it stops); set it before real use")
    return app


def settings_for(database_url: str, **changes: Any) -> Settings:
    """The environment's settings pointed at another database (tests, benchmarks)."""
    return replace(load_settings(), database_url=database_url, **changes)


def served_app() -> FastAPI:
    """The app of one of `serve-api --workers N`'s processes (uvicorn imports this factory in each): its
    JSON log lines configured as the CLI's are, then the app from the environment."""
    logs.configure_logging()
    return create_app()
