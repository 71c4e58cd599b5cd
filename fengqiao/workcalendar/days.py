"""Working days and working hours, as pure functions of the official arrangement and local overrides.

Conventions (all in Asia/Shanghai, which has had no daylight-saving time since 1991, so wall-clock arithmetic is
exact):

- A deadline of *n working days* ends at 23:59:59 local on the n-th working day **after** the start day; the start
  day itself never counts, whatever the hour. ``n = 0`` means the same working day: the end of the start day if it is
  a working day, else of the next one.
- *Working hours* are 08:30–12:00 and 13:30–17:30 on working days (7.5 hours a day, the common office hours of
  Zhejiang county agencies). Time outside them, lunch, nights, weekends and holidays, does not count.
- ``working_days_between(a, b)`` counts the working days after a's day up to and including b's day, so
  ``working_days_between(a, add_working_days(a, n)) == n``: "used working days" of a step, and with the step's limit
  the 70 % yellow light is ``used >= 0.7 * limit``.

``overrides`` maps a date to whether it is a working day there and wins over the official arrangement (a county's
typhoon day off, a locally declared working day).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from fengqiao.core.clock import CHINA_TZ
from fengqiao.workcalendar.official import official_is_workday

Overrides = Mapping[date, bool]

END_OF_DAY = time(23, 59, 59)
WORKING_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
# Ten years without a working day means broken overrides, not a deadline: stop instead of looping forever.
MAX_SEARCH_DAYS = 3660

_ONE_DAY = timedelta(days=1)


def is_workday(day: date, overrides: Overrides | None = None) -> bool:
    if isinstance(day, datetime):
        day = local_date(day)
    if overrides and day in overrides:
        return overrides[day]
    return official_is_workday(day)


def add_working_days(start: datetime, n: int, overrides: Overrides | None = None) -> datetime:
    """The deadline n working days after ``start``: 23:59:59 Asia/Shanghai on that day, timezone-aware."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = local_date(start)
    if n == 0:
        day = next_workday(day, overrides, include_start=True)
    for _ in range(n):
        day = next_workday(day, overrides)
    return datetime.combine(day, END_OF_DAY, tzinfo=CHINA_TZ)


def add_working_hours(start: datetime, hours: float, overrides: Overrides | None = None) -> datetime:
    """The moment ``hours`` working hours after ``start`` (Asia/Shanghai, timezone-aware)."""
    if hours <= 0:
        raise ValueError("hours must be positive")
    remaining = timedelta(hours=hours)
    cursor = _aware(start).astimezone(CHINA_TZ)
    day = cursor.date()
    for _ in range(MAX_SEARCH_DAYS):
        if is_workday(day, overrides):
            for opens, closes in WORKING_PERIODS:
                period_end = datetime.combine(day, closes, tzinfo=CHINA_TZ)
                if cursor >= period_end:
                    continue
                begin = max(cursor, datetime.combine(day, opens, tzinfo=CHINA_TZ))
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += _ONE_DAY
    raise ValueError(f"no working time within {MAX_SEARCH_DAYS} days of {start.isoformat()}")


def working_days_between(a: date | datetime, b: date | datetime, overrides: Overrides | None = None) -> int:
    """Working days after a's day up to and including b's day (local dates); negative when b is before a."""
    first, last = local_date(a), local_date(b)
    if last < first:
        return -working_days_between(last, first, overrides)
    count = 0
    day = first + _ONE_DAY
    while day <= last:
        count += is_workday(day, overrides)
        day += _ONE_DAY
    return count


def next_workday(day: date, overrides: Overrides | None = None, *, include_start: bool = False) -> date:
    """The first working day after ``day`` (or on it, with ``include_start``)."""
    candidate = day if include_start else day + _ONE_DAY
    for _ in range(MAX_SEARCH_DAYS):
        if is_workday(candidate, overrides):
            return candidate
        candidate += _ONE_DAY
    raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days of {day.isoformat()}")


def local_date(moment: date | datetime) -> date:
    """The Asia/Shanghai calendar date of a moment; a plain date is taken as already local."""
    if isinstance(moment, datetime):
        return _aware(moment).astimezone(CHINA_TZ).date()
    return moment


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass timezone-aware moments only")
    return moment
