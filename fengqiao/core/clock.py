"""Time: stored in UTC, shown in China Standard Time. Every service reads the time through ``utcnow``, so a
simulation (``fengqiao demo simulate``) can run the real services at a simulated moment with ``overridden``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")

_source: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    return _source() if _source is not None else datetime.now(UTC)


@contextmanager
def overridden(source: Callable[[], datetime]) -> Iterator[None]:
    """Within the block, ``utcnow`` answers ``source()`` (an aware datetime) — process-wide, for single-threaded
    simulations; never used by the server."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous


def to_local(moment: datetime) -> datetime:
    """Render a stored moment in Asia/Shanghai; naive moments are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA_TZ)
