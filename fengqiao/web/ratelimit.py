"""Per-client rate limits for the public (no-account) endpoints: a sliding window kept in the server process.

Limits guard against guessing (a dispute code's phone digits) and flooding (citizen reports); they are per process,
which is what one server needs — a cluster would keep the counters in Redis.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

from fengqiao.core.errors import FengqiaoError


class TooManyRequests(FengqiaoError):
    status_code = 429
    code = "too_many_requests"


class RateLimiter:
    def __init__(self, *, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle clients rather than grow without bound
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
            return True


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit(name: str, message: str) -> Callable[[Request], None]:
    """A dependency enforcing the app's limiter ``name`` (``app.state.rate_limiters``) per client address."""

    def dependency(request: Request) -> None:
        limiter: RateLimiter = request.app.state.rate_limiters[name]
        if not limiter.allow(client_key(request)):
            raise TooManyRequests(message, details={"retry_after_seconds": int(limiter.window)})

    return dependency
