"""Domain errors with a stable code and a Chinese message; the web layer turns them into JSON responses."""

from __future__ import annotations

from typing import Any


class FengqiaoError(Exception):
    """Base of every error a user may see. ``code`` is stable (clients match on it); ``message`` is Chinese."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(FengqiaoError):
    status_code = 404
    code = "not_found"


class InvalidInput(FengqiaoError):
    status_code = 422
    code = "invalid_input"


class Conflict(FengqiaoError):
    status_code = 409
    code = "conflict"


class Forbidden(FengqiaoError):
    status_code = 403
    code = "forbidden"


class Unauthorized(FengqiaoError):
    status_code = 401
    code = "unauthorized"
