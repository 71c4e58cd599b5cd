"""Request logging and request ids, and the last line of defence against unexpected exceptions.

A plain ASGI middleware rather than ``BaseHTTPMiddleware``: it sees the status of every response, including the
500 it writes itself, and it does not buffer streamed bodies.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fengqiao.web.errors import INTERNAL_ERROR_CODE, INTERNAL_ERROR_MESSAGE, error_response

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is echoed into logs and headers, so only a short, plain token is trusted; anything else is replaced.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Asset requests are many and uninteresting; they are logged at debug level only.
_QUIET_PREFIXES = ("/static/",)

logger = structlog.get_logger("fengqiao.web")


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _VALID_REQUEST_ID.match(candidate) else None
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        method, path = scope.get("method", ""), scope.get("path", "")
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                logger.exception("unhandled_error", method=method, path=path)
                if response_started:
                    raise
                response = error_response(500, INTERNAL_ERROR_CODE, INTERNAL_ERROR_MESSAGE)
                await response(scope, receive, send_with_id)
            finally:
                duration_ms = round((time.perf_counter() - started) * 1000, 1)
                log = logger.debug if path.startswith(_QUIET_PREFIXES) else logger.info
                log("request", method=method, path=path, status=status, duration_ms=duration_ms)
