"""The working calendar of one county: official arrangement plus that county's overrides, loaded once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import delete, extract, select
from sqlalchemy.orm import Session

from fengqiao.core.errors import InvalidInput
from fengqiao.workcalendar import days
from fengqiao.workcalendar.models import CalendarOverride

_CACHE_KEY = "fengqiao.workcalendar"


def _forget(session: Session) -> None:
    session.info.pop(_CACHE_KEY, None)


class WorkCalendar:
    """Answers working-day questions without touching the database again. Load one per request or per job: an
    override added later is seen by the next calendar loaded, not by one already in use."""

    def __init__(self, overrides: Mapping[date, bool] | None = None, *, county_code: str | None = None) -> None:
        self.county_code = county_code
        self._overrides: dict[date, bool] = dict(overrides or {})

    @classmethod
    def load(cls, *, session: Session, county_code: str) -> WorkCalendar:
        """The county's calendar as this transaction sees it: read once per transaction (every action and timer
        asks for it, and a busy transaction — a batch, a simulated day — asks thousands of times)."""
        transaction = session.get_transaction()
        cached = session.info.get(_CACHE_KEY)
        if cached is None or cached[0] is not transaction:
            cached = (transaction, {})
            session.info[_CACHE_KEY] = cached
        calendars: dict[str, WorkCalendar] = cached[1]
        calendar = calendars.get(county_code)
        if calendar is None:
            rows = session.execute(
                select(CalendarOverride.day, CalendarOverride.is_workday).where(
                    CalendarOverride.county_code == county_code
                )
            ).all()
            calendar = calendars[county_code] = cls(dict(rows), county_code=county_code)
        return calendar

    @property
    def overrides(self) -> Mapping[date, bool]:
        return MappingProxyType(self._overrides)

    def is_workday(self, day: date) -> bool:
        return days.is_workday(day, self._overrides)

    def next_workday(self, day: date, *, include_start: bool = False) -> date:
        return days.next_workday(day, self._overrides, include_start=include_start)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        return days.add_working_days(start, n, self._overrides)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        return days.add_working_hours(start, hours, self._overrides)

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        return days.working_days_between(a, b, self._overrides)


def set_override(*, session: Session, county_code: str, day: date, is_workday: bool, reason: str) -> CalendarOverride:
    """Declare ``day`` a working day or a day off in one county, replacing an earlier declaration for that day."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请填写调整原因", details={"field": "reason"})
    override = session.scalars(
        select(CalendarOverride).where(CalendarOverride.county_code == county_code, CalendarOverride.day == day)
    ).one_or_none()
    if override is None:
        override = CalendarOverride(county_code=county_code, day=day, is_workday=is_workday, reason=reason)
        session.add(override)
    else:
        override.is_workday = is_workday
        override.reason = reason
    session.flush()
    _forget(session)
    return override


def remove_override(*, session: Session, county_code: str, day: date) -> bool:
    result = session.execute(
        delete(CalendarOverride)
        .where(CalendarOverride.county_code == county_code, CalendarOverride.day == day)
        .execution_options(synchronize_session="fetch")
    )
    _forget(session)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def list_overrides(*, session: Session, county_code: str, year: int | None = None) -> list[CalendarOverride]:
    statement = select(CalendarOverride).where(CalendarOverride.county_code == county_code)
    if year is not None:
        statement = statement.where(extract("year", CalendarOverride.day) == year)
    return list(session.scalars(statement.order_by(CalendarOverride.day)))
