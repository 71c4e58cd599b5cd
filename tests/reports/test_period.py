"""Periods of bulletins: Shanghai calendar months and ISO weeks, half-open, with their labels and keys."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fengqiao.core.errors import InvalidInput
from fengqiao.reports import period as periods
from fengqiao.reports.period import PeriodKind


def test_month_runs_from_shanghai_midnight_to_the_next_month() -> None:
    october = periods.parse(PeriodKind.MONTHLY, "2026-10")
    assert october.start == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    assert october.end == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert (october.first_day, october.last_day) == (date(2026, 10, 1), date(2026, 10, 31))
    assert october.key == "2026-10"
    assert october.label == "2026年10月"
    assert len(october.days) == 31
    assert october.previous().key == "2026-09"
    assert periods.parse(PeriodKind.MONTHLY, "2026-01").previous().key == "2025-12"
    assert periods.parse(PeriodKind.MONTHLY, "2026-12").end_day == date(2027, 1, 1)


def test_iso_week() -> None:
    week = periods.parse(PeriodKind.WEEKLY, "2026-W42")
    assert week.first_day == date(2026, 10, 12)  # a Monday
    assert week.last_day == date(2026, 10, 18)
    assert week.key == "2026-W42"
    assert week.label == "2026年第42周（10月12日—10月18日）"
    assert week.previous().key == "2026-W41"
    # ISO week 1 of 2027 begins on 4 January 2027: its year is the ISO year.
    assert periods.parse(PeriodKind.WEEKLY, "2026-W53").year == 2026


def test_last_complete_period() -> None:
    now = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 2 November, 10:00 Shanghai
    assert periods.last_complete(PeriodKind.MONTHLY, now).key == "2026-10"
    assert periods.last_complete(PeriodKind.WEEKLY, now).key == "2026-W44"
    # 23:30 UTC on 31 October is already 1 November in Shanghai: October is complete.
    assert periods.last_complete(PeriodKind.MONTHLY, datetime(2026, 10, 31, 23, 30, tzinfo=UTC)).key == "2026-10"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (PeriodKind.MONTHLY, "2026-13"),
        (PeriodKind.MONTHLY, "October"),
        (PeriodKind.WEEKLY, "2026-W60"),
        (PeriodKind.WEEKLY, "2026-10"),
    ],
)
def test_bad_periods_are_refused_in_chinese(kind: PeriodKind, text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        periods.parse(kind, text)
    assert raised.value.code == "invalid_period"
