"""The official working-day arrangement, from the ``chinesecalendar`` package (module ``chinese_calendar``).

Source: the General Office of the State Council's yearly notice on public-holiday arrangements (国务院办公厅关于
节假日安排的通知), transcribed by chinesecalendar (MIT, github.com/LKI/chinese-calendar) as explicit sets of days off
and of make-up working days (调休上班日, Saturdays or Sundays that are working days). chinesecalendar 1.11.0 covers
2004 to 2026 inclusive; the notice for a year appears around November of the year before and the package is usually
released within days, so upgrade it every winter. For a year it does not know we fall back to Monday–Friday and log a
warning once per year: holidays are then missed, and deadlines come out early, never late.

The ``holidays`` package (holidays.China) was also considered: it knows 2025 and 2026 as well, but it computes years
that have not been announced yet from rules, without their make-up working days, so an unknown year would be silently
wrong instead of detectably unknown.
"""

from __future__ import annotations

import threading
from datetime import date
from functools import cache

import chinese_calendar

from fengqiao.core.logging import get_logger

_warned_years: set[int] = set()
_warned_lock = threading.Lock()


def official_is_workday(day: date) -> bool:
    """Whether ``day`` is a working day by the State Council's arrangement (Monday–Friday for unknown years)."""
    if not is_year_covered(day.year):
        _warn_uncovered(day.year)
        return day.weekday() < 5
    return bool(chinese_calendar.is_workday(day))


@cache
def is_year_covered(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def covered_years() -> range:
    """The years the installed package knows, e.g. ``range(2004, 2027)`` for chinesecalendar 1.11.0."""
    known = sorted({day.year for day in chinese_calendar.holidays})
    return range(known[0], known[-1] + 1)


def _warn_uncovered(year: int) -> None:
    with _warned_lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    years = covered_years()
    get_logger("fengqiao.workcalendar").warning(
        "workcalendar.year_not_covered",
        year=year,
        message=(
            f"{year} 年的法定节假日安排未知（chinesecalendar 覆盖 {years.start}–{years.stop - 1} 年），"
            "暂按周一至周五计算工作日；请升级 chinesecalendar"
        ),
    )
