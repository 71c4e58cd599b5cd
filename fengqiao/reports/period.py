"""The period a bulletin covers: a calendar month or an ISO week, in China Standard Time (a month's bulletin counts
what was registered from 00:00 on its first day to 00:00 on the next month's first day, Shanghai time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from fengqiao.core.clock import CHINA_TZ
from fengqiao.core.errors import InvalidInput


class PeriodKind(StrEnum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"


PERIOD_KIND_LABELS: dict[PeriodKind, str] = {PeriodKind.MONTHLY: "月报", PeriodKind.WEEKLY: "周报"}

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first_day: date  # local (Shanghai) date of the first day
    end_day: date  # local date of the day after the last

    @property
    def key(self) -> str:
        """``2026-10`` or ``2026-W42``: how the command line and the URLs name the period."""
        if self.kind is PeriodKind.MONTHLY:
            return f"{self.first_day.year:04d}-{self.first_day.month:02d}"
        year, week, _ = self.first_day.isocalendar()
        return f"{year:04d}-W{week:02d}"

    @property
    def year(self) -> int:
        return self.first_day.year if self.kind is PeriodKind.MONTHLY else self.first_day.isocalendar()[0]

    @property
    def label(self) -> str:
        """``2026年10月`` or ``2026年第42周（10月12日—10月18日）``."""
        if self.kind is PeriodKind.MONTHLY:
            return f"{self.first_day.year}年{self.first_day.month}月"
        last = self.end_day - timedelta(days=1)
        _, week, _ = self.first_day.isocalendar()
        return f"{self.year}年第{week}周（{self.first_day.month}月{self.first_day.day}日—{last.month}月{last.day}日）"

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The first moment of the period (UTC)."""
        return _local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The first moment after the period (UTC): periods are half-open, [start, end)."""
        return _local_midnight(self.end_day)

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range((self.end_day - self.first_day).days)]

    def previous(self) -> Period:
        if self.kind is PeriodKind.MONTHLY:
            before = self.first_day - timedelta(days=1)
            return month(before.year, before.month)
        return week_of(self.first_day - timedelta(days=7))


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ).astimezone(UTC)


def month(year: int, number: int) -> Period:
    if not 1 <= number <= 12 or not 2000 <= year <= 2100:
        raise InvalidInput(f"月份“{year}-{number}”无效", code="invalid_period")
    first = date(year, number, 1)
    end = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return Period(PeriodKind.MONTHLY, first, end)


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period(PeriodKind.WEEKLY, monday, monday + timedelta(days=7))


def parse(kind: PeriodKind, text: str) -> Period:
    """``2026-10`` for a month, ``2026-W42`` (ISO week) for a week."""
    text = text.strip()
    if kind is PeriodKind.MONTHLY:
        m = _MONTH.match(text)
        if m is None:
            raise InvalidInput(f"月份“{text}”格式应为 2026-10", code="invalid_period")
        return month(int(m.group(1)), int(m.group(2)))
    m = _WEEK.match(text)
    if m is None:
        raise InvalidInput(f"周次“{text}”格式应为 2026-W42", code="invalid_period")
    try:
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError as exc:
        raise InvalidInput(f"周次“{text}”无效", code="invalid_period") from exc
    return week_of(monday)


def last_complete(kind: PeriodKind, now: datetime) -> Period:
    """The latest period that has ended by ``now``: last month, or last week."""
    today = now.astimezone(CHINA_TZ).date()
    if kind is PeriodKind.MONTHLY:
        before = today.replace(day=1) - timedelta(days=1)
        return month(before.year, before.month)
    return week_of(today - timedelta(days=7))
