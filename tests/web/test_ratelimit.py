from __future__ import annotations

from fengqiao.web.ratelimit import RateLimiter


def test_sliding_window_per_client() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=3, window_seconds=10, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    now[0] = 10.5
    assert limiter.allow("a")
